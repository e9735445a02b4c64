package io.basalt.server.net;

/** Redis's rule for connection names: printable ASCII without spaces (CLIENT SETNAME, HELLO SETNAME). */
final class ClientNames {
    private ClientNames() {}

    static boolean valid(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') return false;
        }
        return true;
    }
}
