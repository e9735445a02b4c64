package io.basalt.server.commands;

import io.basalt.data.ZSetValue;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The geo family (Redis's geo.c): a geo set is a sorted set whose scores are 52-bit geohashes
 * ({@link GeoHash}), so GEOADD is ZADD with computed scores and the searches are score-range
 * reads of the sorted set (the center's geohash box and its eight neighbours), filtered by
 * distance. Arguments are checked in Redis's order and every number is printed as Redis prints
 * it: distances with four decimals (fixedpoint_d2string), coordinates with "%.17Lf" (trailing
 * zeros cut), error coordinates with "%f".
 */
public final class GeoCommands {
    private GeoCommands() {}

    // georadiusGeneric's flags
    private static final int RADIUS_COORDS = 1;
    private static final int RADIUS_MEMBER = 2;
    private static final int RADIUS_NOSTORE = 4;
    private static final int GEOSEARCH = 8;
    private static final int GEOSEARCHSTORE = 16;

    private static final int SORT_NONE = 0, SORT_ASC = 1, SORT_DESC = 2;

    private static final byte[] ZADD = Propagate.b("zadd");
    private static final String UNSUPPORTED_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI";
    private static final String NO_MEMBER = "ERR could not decode requested zset member";

    public static void register(CommandTable t) {
        t.register("geoadd", GeoCommands::geoadd);
        t.register("geodist", GeoCommands::geodist);
        t.register("geohash", GeoCommands::geohash);
        t.register("geopos", GeoCommands::geopos);
        t.register("georadius", (c, a) -> search(c, a, 1, RADIUS_COORDS));
        t.register("georadiusbymember", (c, a) -> search(c, a, 1, RADIUS_MEMBER));
        t.register("georadius_ro", (c, a) -> search(c, a, 1, RADIUS_COORDS | RADIUS_NOSTORE));
        t.register("georadiusbymember_ro", (c, a) -> search(c, a, 1, RADIUS_MEMBER | RADIUS_NOSTORE));
        t.register("geosearch", (c, a) -> search(c, a, 1, GEOSEARCH));
        t.register("geosearchstore", (c, a) -> search(c, a, 2, GEOSEARCH | GEOSEARCHSTORE));
        t.keys("georadius", GeoCommands::radiusKeys);
        t.keys("georadiusbymember", GeoCommands::radiusKeys);
    }

    /**
     * The keys GEORADIUS[BYMEMBER] is dispatched (locked) with: the source and every argument
     * after a STORE or STOREDIST word. Redis's key specs (what COMMAND GETKEYS reports) find
     * only the first STORE, while the command stores to the last one ("STORE a STORE b" writes
     * b): locking every candidate covers whichever the parser picks.
     */
    private static int radiusKeys(RespRequest a, int[] out) {
        int n = 0;
        out[n++] = 1;
        for (int i = 5; i + 1 < a.argc() && n < out.length; i++) {
            if (opt(a, i, "store") || opt(a, i, "storedist")) out[n++] = i + 1;
        }
        return n;
    }

    // ------------------------------------------------------------------ GEOADD

    /**
     * GEOADD key [NX|XX] [CH] lon lat member ...: as Redis, the coordinates are turned into
     * scores and ZADD runs on the rewritten arguments (its reply, its "zadd" event), and the
     * rewritten ZADD is what the AOF and replicas get.
     */
    static void geoadd(Client c, RespRequest a) {
        boolean xx = false, nx = false;
        int longIdx = 2;
        for (; longIdx < a.argc(); longIdx++) {
            if (opt(a, longIdx, "nx")) nx = true;
            else if (opt(a, longIdx, "xx")) xx = true;
            else if (!opt(a, longIdx, "ch")) break; // CH is ZADD's to handle
        }
        if ((a.argc() - longIdx) % 3 != 0 || (xx && nx)) {
            c.error(Generic.SYNTAX);
            return;
        }
        int elements = (a.argc() - longIdx) / 3;
        byte[][] argv = new byte[longIdx + elements * 2][];
        argv[0] = ZADD;
        for (int i = 1; i < longIdx; i++) argv[i] = a.bytes(i);
        double[] xy = new double[2];
        for (int i = 0; i < elements; i++) {
            if (!longLat(c, a, longIdx + i * 3, xy)) return;
            argv[longIdx + i * 2] = Propagate.number(GeoHash.score(xy[0], xy[1]));
            argv[longIdx + i * 2 + 1] = a.bytes(longIdx + i * 3 + 2);
        }
        long dirty = c.dirtyCount();
        ZSetCommands.zadd(c, RespRequest.of(argv));
        if (c.dirtyCount() != dirty) c.propagate(argv);
    }

    // ------------------------------------------------------------------ GEODIST / GEOHASH / GEOPOS

    static void geodist(Client c, RespRequest a) {
        double toMeters = 1;
        if (a.argc() == 5) {
            toMeters = unit(c, a, 4);
            if (toMeters < 0) return;
        } else if (a.argc() > 5) {
            c.error(Generic.SYNTAX);
            return;
        }
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        Double s1 = z == null ? null : z.score(a.bytes(2));
        Double s2 = s1 == null ? null : z.score(a.bytes(3));
        if (s2 == null) {
            c.out().nullBulk();
            return;
        }
        double[] p1 = new double[2];
        double[] p2 = new double[2];
        GeoHash.decodeScore(s1, p1);
        GeoHash.decodeScore(s2, p2);
        c.out().bulk(distanceText(GeoHash.distance(p1[0], p1[1], p2[0], p2[1]) / toMeters));
    }

    static void geohash(Client c, RespRequest a) {
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        RespWriter out = c.out();
        out.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            Double s = z == null ? null : z.score(a.bytes(i));
            if (s == null) out.nullBulk();
            else out.bulk(GeoHash.standardGeohash(s));
        }
    }

    static void geopos(Client c, RespRequest a) {
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        RespWriter out = c.out();
        out.array(a.argc() - 2);
        double[] xy = new double[2];
        for (int i = 2; i < a.argc(); i++) {
            Double s = z == null ? null : z.score(a.bytes(i));
            if (s == null) {
                out.nullArray();
                continue;
            }
            GeoHash.decodeScore(s, xy);
            out.array(2);
            out.dblText(coordinateText(xy[0]));
            out.dblText(coordinateText(xy[1]));
        }
    }

    // ------------------------------------------------------------------ the searches

    /** One match: Redis's geoPoint. */
    private static final class Point {
        final byte[] member;
        final double score;
        final double lon, lat;
        double dist;

        Point(byte[] member, double score, double lon, double lat, double dist) {
            this.member = member;
            this.score = score;
            this.lon = lon;
            this.lat = lat;
            this.dist = dist;
        }
    }

    /**
     * georadiusGeneric: GEORADIUS[_RO] key lon lat radius unit, GEORADIUSBYMEMBER[_RO] key member
     * radius unit, GEOSEARCH key and GEOSEARCHSTORE dst key, then the options. The source is
     * looked up first (WRONGTYPE before any argument error), options are read left to right with
     * a FROMMEMBER member looked up on the spot, then the combinations are checked.
     */
    private static void search(Client c, RespRequest a, int srcIdx, int flags) {
        ZSetValue z = Generic.read(c, a.bytes(srcIdx), ZSetValue.class);
        if (Generic.failed(z)) return;
        byte[] storeKey = null;
        boolean storeDist = false;
        GeoHash.Shape shape = new GeoHash.Shape();
        double[] xy = new double[2];
        int base;
        if ((flags & RADIUS_COORDS) != 0) {
            base = 6;
            if (!longLat(c, a, 2, xy)) return;
            shape.lon = xy[0];
            shape.lat = xy[1];
            if (!radius(c, a, base - 2, shape)) return;
        } else if ((flags & RADIUS_MEMBER) != 0) {
            base = 5;
            // without the key the arguments are still parsed, to know which reply to give
            if (z != null) {
                if (!memberPosition(c, z, a.bytes(2), shape)) return;
                if (!radius(c, a, base - 2, shape)) return;
            }
        } else if ((flags & GEOSEARCHSTORE) != 0) {
            base = 3;
            storeKey = a.bytes(1);
        } else {
            base = 2;
        }

        boolean withDist = false, withHash = false, withCoords = false;
        boolean fromMember = false, fromLoc = false, byRadius = false, byBox = false;
        boolean any = false;
        int sort = SORT_NONE;
        long count = 0; // 0: unlimited
        boolean search = (flags & GEOSEARCH) != 0;
        boolean storeAllowed = (flags & RADIUS_NOSTORE) == 0 && !search;
        int remaining = a.argc() - base;
        for (int i = 0; i < remaining; i++) {
            int j = base + i;
            if (opt(a, j, "withdist")) {
                withDist = true;
            } else if (opt(a, j, "withhash")) {
                withHash = true;
            } else if (opt(a, j, "withcoord")) {
                withCoords = true;
            } else if (opt(a, j, "any")) {
                any = true;
            } else if (opt(a, j, "asc")) {
                sort = SORT_ASC;
            } else if (opt(a, j, "desc")) {
                sort = SORT_DESC;
            } else if (opt(a, j, "count") && i + 1 < remaining) {
                Long n = Generic.longArg(c, a, j + 1);
                if (n == null) return;
                if (n <= 0) {
                    c.error("ERR COUNT must be > 0");
                    return;
                }
                count = n;
                i++;
            } else if (opt(a, j, "store") && i + 1 < remaining && storeAllowed) {
                storeKey = a.bytes(j + 1);
                storeDist = false;
                i++;
            } else if (opt(a, j, "storedist") && i + 1 < remaining && storeAllowed) {
                storeKey = a.bytes(j + 1);
                storeDist = true;
                i++;
            } else if (opt(a, j, "storedist") && search && (flags & GEOSEARCHSTORE) != 0) {
                storeDist = true;
            } else if (opt(a, j, "frommember") && i + 1 < remaining && search && !fromLoc) {
                // without the key the parse goes on, and the empty reply comes after the checks
                if (z != null && !memberPosition(c, z, a.bytes(j + 1), shape)) return;
                fromMember = true;
                i++;
            } else if (opt(a, j, "fromlonlat") && i + 2 < remaining && search && !fromMember) {
                if (!longLat(c, a, j + 1, xy)) return;
                shape.lon = xy[0];
                shape.lat = xy[1];
                fromLoc = true;
                i += 2;
            } else if (opt(a, j, "byradius") && i + 2 < remaining && search && !byBox) {
                if (!radius(c, a, j + 1, shape)) return;
                byRadius = true;
                i += 2;
            } else if (opt(a, j, "bybox") && i + 3 < remaining && search && !byRadius) {
                if (!box(c, a, j + 1, shape)) return;
                byBox = true;
                i += 3;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }

        if (storeKey != null && (withDist || withHash || withCoords)) {
            c.error("ERR " + ((flags & GEOSEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                    + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
            return;
        }
        if (search && !(fromMember || fromLoc)) {
            c.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + a.string(0));
            return;
        }
        if (search && !(byRadius || byBox)) {
            c.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + a.string(0));
            return;
        }
        if (any && count == 0) {
            c.error("ERR the ANY argument requires COUNT argument");
            return;
        }
        String event = search ? "geosearchstore" : "georadiusstore";
        if (z == null) {
            if (storeKey != null) ZSetRange.store(c, storeKey, List.of(), List.of(), event, true);
            else c.out().array(0);
            return;
        }
        // COUNT means the closest N: sorted, unless ANY asked for any N
        if (count != 0 && sort == SORT_NONE && !any) sort = SORT_ASC;

        List<Point> found = new ArrayList<>();
        membersOfAllNeighbors(z, GeoHash.areas(shape), shape, found, any ? count : 0);
        if (found.isEmpty() && storeKey == null) {
            c.out().array(0);
            return;
        }
        Point[] points = found.toArray(new Point[0]);
        int returned = (int) (count == 0 || points.length < count ? points.length : count);
        if (sort != SORT_NONE) {
            GeoSort.sort(points, p -> p.dist, sort == SORT_DESC, returned);
        }
        if (storeKey == null) {
            reply(c, points, returned, shape.conversion, withDist, withHash, withCoords);
            return;
        }
        List<byte[]> members = new ArrayList<>(returned);
        List<Double> scores = new ArrayList<>(returned);
        for (int i = 0; i < returned; i++) {
            Point p = points[i];
            members.add(p.member);
            scores.add(storeDist ? p.dist / shape.conversion : p.score);
        }
        ZSetRange.store(c, storeKey, members, scores, event, true);
    }

    private static void reply(Client c, Point[] points, int returned, double conversion,
                              boolean withDist, boolean withHash, boolean withCoords) {
        RespWriter out = c.out();
        int options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
        out.array(returned);
        for (int i = 0; i < returned; i++) {
            Point p = points[i];
            if (options > 0) out.array(options + 1);
            out.bulk(p.member);
            if (withDist) out.bulk(distanceText(p.dist / conversion));
            if (withHash) out.integer((long) p.score);
            if (withCoords) {
                out.array(2);
                out.dblText(coordinateText(p.lon));
                out.dblText(coordinateText(p.lat));
            }
        }
    }

    /**
     * membersOfAllNeighbors: the matches in the nine boxes, box after box in Redis's order,
     * skipping excluded boxes and a box equal to the last one searched (with huge radii
     * neighbours coincide); with a limit (COUNT ... ANY), stops once that many were found.
     */
    private static void membersOfAllNeighbors(ZSetValue z, GeoHash.Areas areas, GeoHash.Shape shape,
                                              List<Point> found, long limit) {
        int lastProcessed = 0;
        for (int i = 0; i < 9; i++) {
            if (areas.zero[i]) continue;
            if (lastProcessed != 0 && areas.bits[i] == areas.bits[lastProcessed]) continue;
            if (limit > 0 && found.size() >= limit) break;
            membersOfBox(z, areas.bits[i], areas.step, shape, found, limit);
            lastProcessed = i;
        }
    }

    /** geoGetPointsInRange over one box: the members scored in [min, max), in score order. */
    private static void membersOfBox(ZSetValue z, long bits, int step, GeoHash.Shape shape,
                                     List<Point> found, long limit) {
        int first = z.countBelow((double) GeoHash.boxMin(bits, step), false);
        int last = z.countBelow((double) GeoHash.boxMax(bits, step), false) - 1;
        if (first > last) return;
        double[] xy = new double[2];
        ZSetValue.Visitor v = (m, s) -> {
            if (limit > 0 && found.size() >= limit) return; // Redis stops here
            GeoHash.decodeScore(s, xy);
            double d = GeoHash.distanceIfWithin(shape, xy[0], xy[1]);
            if (d != GeoHash.OUTSIDE) found.add(new Point(m, s, xy[0], xy[1], d));
        };
        if (limit == 0) {
            z.walk(first, last, false, v);
            return;
        }
        // with a limit, the walk goes a slice at a time and stops with the slice that filled it
        for (int from = first; from <= last && found.size() < limit; from += 64) {
            z.walk(from, Math.min(last, from + 63), false, v);
        }
    }

    // ------------------------------------------------------------------ argument helpers

    /**
     * {@code strcasecmp(arg, word) == 0}: C compares up to the first NUL byte, so "asc\0x" is
     * ASC to Redis.
     */
    private static boolean opt(RespRequest a, int i, String word) {
        int len = a.length(i);
        int n = word.length();
        if (len < n) return false;
        for (int k = 0; k < n; k++) {
            int b = a.byteAt(i, k);
            if (b >= 'A' && b <= 'Z') b += 'a' - 'A';
            if (b != word.charAt(k)) return false;
        }
        return len == n || a.byteAt(i, n) == 0;
    }

    /** getDoubleFromObjectOrReply: a double (Redis's string2d) or null with the error replied. */
    private static Double number(Client c, RespRequest a, int i, String error) {
        Double d = ZSetParsing.parseScore(a.bytes(i));
        if (d == null) c.error(error);
        return d;
    }

    /** extractLongLatOrReply: lon and lat at i, i + 1 into xy; false with the error replied. */
    private static boolean longLat(Client c, RespRequest a, int i, double[] xy) {
        Double lon = number(c, a, i, Generic.NOT_FLOAT);
        if (lon == null) return false;
        Double lat = number(c, a, i + 1, Generic.NOT_FLOAT);
        if (lat == null) return false;
        if (lon < GeoHash.LON_MIN || lon > GeoHash.LON_MAX || lat < GeoHash.LAT_MIN || lat > GeoHash.LAT_MAX) {
            c.error("ERR invalid longitude,latitude pair " + printfF(lon) + "," + printfF(lat));
            return false;
        }
        xy[0] = lon;
        xy[1] = lat;
        return true;
    }

    /** longLatFromMember: the member's position as the search center; false with the error replied. */
    private static boolean memberPosition(Client c, ZSetValue z, byte[] member, GeoHash.Shape shape) {
        Double s = z.score(member);
        if (s == null) {
            c.error(NO_MEMBER);
            return false;
        }
        double[] xy = new double[2];
        GeoHash.decodeScore(s, xy);
        shape.lon = xy[0];
        shape.lat = xy[1];
        return true;
    }

    /** extractUnitOrReply: meters per unit, or -1 with the error replied. */
    private static double unit(Client c, RespRequest a, int i) {
        if (opt(a, i, "m")) return 1;
        if (opt(a, i, "km")) return 1000;
        if (opt(a, i, "ft")) return 0.3048;
        if (opt(a, i, "mi")) return 1609.34;
        c.error(UNSUPPORTED_UNIT);
        return -1;
    }

    /** extractDistanceOrReply: radius and unit at i, i + 1 into a circular shape. */
    private static boolean radius(Client c, RespRequest a, int i, GeoHash.Shape shape) {
        Double d = number(c, a, i, "ERR need numeric radius");
        if (d == null) return false;
        if (d < 0) {
            c.error("ERR radius cannot be negative");
            return false;
        }
        double conversion = unit(c, a, i + 1);
        if (conversion < 0) return false;
        shape.box = false;
        shape.radius = d;
        shape.conversion = conversion;
        return true;
    }

    /** extractBoxOrReply: width, height and unit at i .. i + 2 into a rectangular shape. */
    private static boolean box(Client c, RespRequest a, int i, GeoHash.Shape shape) {
        Double w = number(c, a, i, "ERR need numeric width");
        if (w == null) return false;
        Double h = number(c, a, i + 1, "ERR need numeric height");
        if (h == null) return false;
        if (h < 0 || w < 0) {
            c.error("ERR height or width cannot be negative");
            return false;
        }
        double conversion = unit(c, a, i + 2);
        if (conversion < 0) return false;
        shape.box = true;
        shape.width = w;
        shape.height = h;
        shape.conversion = conversion;
        return true;
    }

    // ------------------------------------------------------------------ number formatting

    /**
     * fixedpoint_d2string(d, 4), Redis's distance format: d * 10000 rounded by llrint (to
     * nearest, ties to even; NaN and overflow give LLONG_MIN, printed as Redis does), then the
     * digits with a dot before the last four.
     */
    static String distanceText(double d) {
        if (d == 0) return "0.0000";
        double scaled = Math.rint(d * 10000.0);
        long v = Double.isNaN(scaled) || scaled >= 9.223372036854775808E18 || scaled < -9.223372036854775808E18
                ? Long.MIN_VALUE : (long) scaled;
        boolean negative = v < 0;
        String digits = negative ? Long.toUnsignedString(-v) : Long.toString(v);
        if (digits.length() < 5) digits = "0".repeat(5 - digits.length()) + digits;
        int dot = digits.length() - 4;
        return (negative ? "-" : "") + digits.substring(0, dot) + "." + digits.substring(dot);
    }

    /** addReplyHumanLongDouble's text: "%.17Lf" of the exact value, trailing zeros cut. */
    static String coordinateText(double d) {
        return new String(StringLongDouble.format(new BigDecimal(d)), StandardCharsets.US_ASCII);
    }

    /** C's "%f": the exact value rounded to six decimals, the sign kept (also "-0.000000"). */
    static String printfF(double d) {
        if (Double.isNaN(d)) return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        String s = new BigDecimal(d).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = d < 0 || (d == 0 && 1 / d < 0);
        return negative && s.charAt(0) != '-' ? "-" + s : s;
    }
}
