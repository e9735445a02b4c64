package io.basalt.compat.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (0.0.4) and of OpenMetrics 1.0 text, for
 * the tests: it refuses what Prometheus's own parsers refuse (bad names, bad label syntax or
 * escapes, bad values, a TYPE after its samples or given twice, a family's samples split up,
 * duplicate series, samples whose name does not belong to their family's type, a missing
 * {@code # EOF} in OpenMetrics) and returns the families with their samples.
 */
final class Exposition {
    /** One sample: its full name (with any suffix), labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** A metric family: the name of its TYPE line, its type, help and samples. */
    static final class Family {
        final String name;
        String type = "untyped";
        String help;
        final List<Sample> samples = new ArrayList<>();

        Family(String name) { this.name = name; }
    }

    final Map<String, Family> families = new LinkedHashMap<>();
    final boolean openMetrics;

    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TEXT_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Set<String> OM_TYPES = Set.of("counter", "gauge", "histogram", "gaugehistogram", "stateset",
            "info", "summary", "unknown");

    private Exposition(boolean openMetrics) { this.openMetrics = openMetrics; }

    static Exposition parseText(String body) { return parse(body, false); }

    static Exposition parseOpenMetrics(String body) { return parse(body, true); }

    private static Exposition parse(String body, boolean om) {
        Exposition e = new Exposition(om);
        if (!body.endsWith("\n")) throw new IllegalArgumentException("the exposition must end with a newline");
        String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
        Family current = null;
        Map<String, Set<String>> seriesSeen = new TreeMap<>();
        boolean eof = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + ": " + line;
            if (eof) throw new IllegalArgumentException("content after # EOF, " + where);
            if (om && line.equals("# EOF")) {
                eof = true;
                continue;
            }
            if (line.isEmpty()) {
                if (om) throw new IllegalArgumentException("empty line in OpenMetrics, " + where);
                continue;
            }
            if (line.startsWith("#")) {
                String[] w = line.split(" ", 4);
                if (w.length >= 3 && (w[1].equals("HELP") || w[1].equals("TYPE") || w[1].equals("UNIT"))) {
                    String name = w[2];
                    if (!METRIC.matcher(name).matches()) throw new IllegalArgumentException("bad metric name, " + where);
                    Family f = e.families.get(name);
                    if (f == null) {
                        f = new Family(name);
                        e.families.put(name, f);
                    } else if (f != current) {
                        throw new IllegalArgumentException("metadata of " + name + " after other families, " + where);
                    }
                    if (w[1].equals("TYPE")) {
                        String type = w.length > 3 ? w[3] : "";
                        if (!(om ? OM_TYPES : TEXT_TYPES).contains(type)) throw new IllegalArgumentException("bad type, " + where);
                        if (!f.samples.isEmpty()) throw new IllegalArgumentException("TYPE after samples, " + where);
                        if (!f.type.equals("untyped")) throw new IllegalArgumentException("second TYPE, " + where);
                        f.type = type;
                    } else if (w[1].equals("HELP")) {
                        if (f.help != null) throw new IllegalArgumentException("second HELP, " + where);
                        f.help = w.length > 3 ? w[3] : "";
                    }
                    current = f;
                    continue;
                }
                if (om) throw new IllegalArgumentException("comment in OpenMetrics, " + where);
                continue; // a plain comment
            }
            Sample s = sample(line, where);
            Family f = familyOf(e, s.name, current, om);
            if (f == null) {
                // a sample with no metadata: an untyped family of its own name
                if (e.families.containsKey(s.name)) throw new IllegalArgumentException("family split up, " + where);
                f = new Family(s.name);
                e.families.put(s.name, f);
            } else if (f != current) {
                throw new IllegalArgumentException("family " + f.name + " split up, " + where);
            }
            current = f;
            String series = s.name + s.labels;
            if (!seriesSeen.computeIfAbsent(f.name, k -> new java.util.HashSet<>()).add(series)) {
                throw new IllegalArgumentException("duplicate series, " + where);
            }
            f.samples.add(s);
        }
        if (om && !eof) throw new IllegalArgumentException("OpenMetrics exposition without # EOF");
        return e;
    }

    /** The family a sample belongs to: its name, or its name less a suffix its type allows. */
    private static Family familyOf(Exposition e, String name, Family current, boolean om) {
        Family f = e.families.get(name);
        if (f != null && allows(f.type, "", om)) return f;
        for (String suffix : List.of("_total", "_created", "_bucket", "_count", "_sum", "_info", "_gcount", "_gsum")) {
            if (!name.endsWith(suffix)) continue;
            Family g = e.families.get(name.substring(0, name.length() - suffix.length()));
            if (g != null && allows(g.type, suffix, om)) return g;
        }
        if (f != null) throw new IllegalArgumentException("sample " + name + " does not fit its family's type " + f.type);
        return null;
    }

    private static boolean allows(String type, String suffix, boolean om) {
        return switch (type) {
            case "counter" -> om ? suffix.equals("_total") || suffix.equals("_created") : suffix.isEmpty();
            case "gauge", "untyped", "unknown", "stateset" -> suffix.isEmpty();
            case "info" -> suffix.equals("_info");
            case "summary" -> suffix.isEmpty() || suffix.equals("_count") || suffix.equals("_sum") || suffix.equals("_created");
            case "histogram" -> suffix.equals("_bucket") || suffix.equals("_count") || suffix.equals("_sum") || suffix.equals("_created");
            case "gaugehistogram" -> suffix.equals("_bucket") || suffix.equals("_gcount") || suffix.equals("_gsum");
            default -> false;
        };
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = line.substring(0, i);
        if (!METRIC.matcher(name).matches()) throw new IllegalArgumentException("bad metric name, " + where);
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0) throw new IllegalArgumentException("bad label, " + where);
                String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches()) throw new IllegalArgumentException("bad label name, " + where);
                if (line.charAt(eq + 1) != '"') throw new IllegalArgumentException("unquoted label value, " + where);
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (;; j++) {
                    if (j >= line.length()) throw new IllegalArgumentException("unterminated label value, " + where);
                    char c = line.charAt(j);
                    if (c == '"') break;
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        if (n == 'n') v.append('\n');
                        else if (n == '\\' || n == '"') v.append(n);
                        else throw new IllegalArgumentException("bad escape, " + where);
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) throw new IllegalArgumentException("label twice, " + where);
                i = j + 1;
                if (line.charAt(i) == ',') i++;
                else if (line.charAt(i) != '}') throw new IllegalArgumentException("bad label separator, " + where);
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') throw new IllegalArgumentException("no value, " + where);
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length > 2) throw new IllegalArgumentException("extra fields, " + where);
        double value = number(rest[0], where);
        if (rest.length == 2) number(rest[1], where); // a timestamp
        return new Sample(name, labels, value);
    }

    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private static double number(String s, String where) {
        switch (s) {
            case "NaN": return Double.NaN;
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default:
                Matcher m = FLOAT.matcher(s);
                if (!m.matches()) throw new IllegalArgumentException("bad number " + s + ", " + where);
                return Double.parseDouble(s);
        }
    }

    // ---------------------------------------------------------------- lookups

    /** The family with this TYPE name, or an AssertionError. */
    Family family(String name) {
        Family f = families.get(name);
        if (f == null) throw new AssertionError("no family " + name + " in " + families.keySet());
        return f;
    }

    /** The value of the one sample named {@code name} with exactly these labels (pairs); NaN if absent. */
    double value(String name, String... labelPairs) {
        Map<String, String> want = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) want.put(labelPairs[i], labelPairs[i + 1]);
        for (Family f : families.values()) {
            for (Sample s : f.samples) if (s.name.equals(name) && s.labels.equals(want)) return s.value;
        }
        return Double.NaN;
    }

    /** Every sample named {@code name}. */
    List<Sample> samples(String name) {
        List<Sample> out = new ArrayList<>();
        for (Family f : families.values()) for (Sample s : f.samples) if (s.name.equals(name)) out.add(s);
        return out;
    }
}
