package io.basalt.compat.ops;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The operations endpoints as a scraper or a kubelet sees them: java.net.http against 127.0.0.1. */
final class Http {
    private Http() {}

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, String contentType, String body) {}

    static Response get(int port, String path) throws IOException, InterruptedException {
        return request(port, path, "GET", null);
    }

    static Response get(int port, String path, String accept) throws IOException, InterruptedException {
        return request(port, path, "GET", accept);
    }

    static Response request(int port, String path, String method, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) b.header("Accept", accept);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** A request with an optional JSON body and Authorization header (the admin API). */
    static Response send(int port, String method, String path, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (authorization != null) b.header("Authorization", authorization);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** /metrics in the Prometheus text format, parsed (and so checked) by {@link Exposition}. */
    static Exposition scrape(int port) throws IOException, InterruptedException {
        Response r = get(port, "/metrics");
        if (r.status() != 200) throw new AssertionError("/metrics answered " + r.status() + ": " + r.body());
        return Exposition.parseText(r.body());
    }

    /** A Basalt instance in this JVM with the HTTP listener on a free port. */
    static BasaltInstance startWithHttp(String... args) throws IOException {
        String[] all = new String[args.length + 2];
        all[0] = "--basalt-http-port";
        all[1] = Integer.toString(RedisServerProcess.freePort());
        System.arraycopy(args, 0, all, 2, args.length);
        return BasaltInstance.start(all);
    }

    /** Whether something accepts connections on the port. */
    static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
