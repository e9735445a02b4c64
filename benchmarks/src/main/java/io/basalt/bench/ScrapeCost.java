package io.basalt.bench;

import io.basalt.server.BasaltServer;
import io.basalt.server.Main;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.config.Config;
import io.prometheus.metrics.expositionformats.ExpositionFormats;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one scrape of /metrics costs on a loaded server (docs/benchmarks.md, "Scraping /metrics"):
 * a server in this JVM with {@code -Dkeys} keys (1,000,000), {@code -Dcommands} command types
 * with statistics (200), {@code -Dclients} idle connections (1,000) and 16 databases, scraped
 * {@code -Dscrapes} times (300) after as many for warm-up. Reports the time to build and write
 * the exposition in process (what the HTTP thread spends) and the round trip of a GET from a
 * java.net.http client, median / p90 / p99 / max, and the size of the answer.
 *
 * <pre>java -cp benchmarks/target/basalt-benchmarks.jar io.basalt.bench.ScrapeCost</pre>
 */
public final class ScrapeCost {
    private ScrapeCost() {}

    public static void main(String[] args) throws Exception {
        int keys = Integer.getInteger("keys", 1_000_000);
        int commandTypes = Integer.getInteger("commands", 200);
        int clients = Integer.getInteger("clients", 1000);
        int scrapes = Integer.getInteger("scrapes", 300);
        int http;
        try (ServerSocket s = new ServerSocket(0)) {
            http = s.getLocalPort();
        }
        Config config = Config.defaults();
        Main.load(config, List.of("--port", "0", "--bind", "127.0.0.1", "--enable-debug-command", "yes",
                "--basalt-http-port", Integer.toString(http), "--loglevel", "warning"));
        BasaltServer server = new BasaltServer(config);
        server.start();
        List<Socket> idle = new ArrayList<>();
        try {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                String reply = call(s, "DEBUG", "POPULATE", Integer.toString(keys));
                if (!reply.startsWith("+OK")) throw new IllegalStateException("DEBUG POPULATE: " + reply);
            }
            // the statistics a workload of that many distinct command types leaves behind
            List<CommandSpec> specs = server.commands().allSpecs();
            for (int i = 0; i < Math.min(commandTypes, specs.size()); i++) {
                specs.get(i).calls.add(1000 + i);
                specs.get(i).usec.add(5000 + i);
            }
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                call(s, "PING");
                idle.add(s);
            }
            ExpositionFormats formats = ExpositionFormats.init();
            CountingStream sink = new CountingStream();
            long[] inProcess = new long[scrapes];
            long[] collect = new long[scrapes];
            for (int round = 0; round < 2; round++) { // the first round warms up
                for (int i = 0; i < scrapes; i++) {
                    sink.count = 0;
                    long t0 = System.nanoTime();
                    var snapshots = server.ops().registry().scrape();
                    long t1 = System.nanoTime();
                    formats.getPrometheusTextFormatWriter().write(sink, snapshots);
                    inProcess[i] = System.nanoTime() - t0;
                    collect[i] = t1 - t0;
                }
            }
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/metrics")).build();
            long[] roundTrip = new long[scrapes];
            int bytes = 0;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < scrapes; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r = client.send(get, HttpResponse.BodyHandlers.ofByteArray());
                    roundTrip[i] = System.nanoTime() - t0;
                    if (r.statusCode() != 200) throw new IllegalStateException("status " + r.statusCode());
                    bytes = r.body().length;
                }
            }
            System.out.printf(Locale.ROOT, "keys=%d command_types=%d clients=%d databases=%d scrapes=%d body=%d bytes (%d lines)%n",
                    server.keyspace().size(0), commandTypes, clients, server.keyspace().databases(), scrapes, bytes,
                    new String(client.send(get, HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8)
                            .split("\n").length);
            System.out.println("in process (collect + write): " + summary(inProcess));
            System.out.println("  of which collect:           " + summary(collect));
            System.out.println("HTTP GET round trip:          " + summary(roundTrip));
        } finally {
            for (Socket s : idle) s.close();
            server.stop();
        }
    }

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                s[s.length / 2] / 1e6, s[s.length * 9 / 10] / 1e6, s[s.length * 99 / 100] / 1e6, s[s.length - 1] / 1e6);
    }

    /** Sends one command and reads its reply ("+OK" style for a status, else the value). */
    private static String call(Socket s, String... args) throws Exception {
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        io.basalt.resp.RespWriter w = new io.basalt.resp.RespWriter(b, false);
        w.array(args.length);
        for (String a : args) w.bulk(a);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        s.getOutputStream().write(bytes);
        io.basalt.resp.RespValue v = new io.basalt.resp.RespReader(s.getInputStream()).read();
        return v.type() + v.string();
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) { count++; }

        @Override
        public void write(byte[] b, int off, int len) { count += len; }
    }
}
