package io.basalt.compat.ops;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's promtool (Debian's prometheus package; .ci/run extracts it from the package and
 * names it in PROMTOOL), to check an exposition with Prometheus's own parser.
 */
final class Promtool {
    private Promtool() {}

    /** promtool's path: $PROMTOOL, else on PATH, else null. */
    static String find() {
        String env = System.getenv("PROMTOOL");
        if (env != null && new File(env).canExecute()) return env;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "promtool");
            if (f.canExecute()) return f.getPath();
        }
        return null;
    }

    /**
     * {@code promtool check metrics} on the body. {@code parsed} is false when promtool could not
     * parse it; lint findings (promtool's opinions on names, such as redis_exporter's gauges
     * named *_total) are reported in the output but are not parse errors.
     */
    record Result(boolean parsed, int exit, String output) {}

    static Result checkMetrics(String promtool, String body) throws Exception {
        Path in = Files.createTempFile("metrics", ".txt");
        Path out = Files.createTempFile("promtool", ".out");
        try {
            Files.writeString(in, body, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true)
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("promtool did not finish");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            // exit 1 with "error while linting" is a parse failure; lint problems alone exit 3
            boolean parsed = p.exitValue() == 0 || (p.exitValue() == 3 && !output.contains("error while linting"));
            return new Result(parsed, p.exitValue(), output);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }
}
