package io.basalt.cluster;

/** cluster-preferred-endpoint-type: what MOVED, ASK and CLUSTER SLOTS name a node by. */
public enum EndpointType {
    IP, HOSTNAME, UNKNOWN_ENDPOINT;

    public static EndpointType parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "ip": return IP;
            case "hostname": return HOSTNAME;
            case "unknown-endpoint": return UNKNOWN_ENDPOINT;
            default: return null;
        }
    }

    public String configName() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
}
