package io.basalt.server.commands;

/**
 * Redis 7.0's geohash math (geohash.c, geohash_helper.c), reproduced operation for operation so
 * that scores, decoded coordinates, search boxes and distances are the same doubles Redis
 * computes: a geo set is a sorted set whose scores are 52-bit geohashes (26 bits of longitude
 * and 26 of latitude, interleaved, latitude in the even bits), over the Web Mercator latitude
 * range (+-85.05112878) rather than the usual +-90.
 *
 * <p>C's unsigned arithmetic is kept where it shows: a double turned into a hash is converted as
 * x86-64's {@code (uint64_t)} cast does (see {@link #scoreBits}), and the cell index + 1 of a
 * decode wraps at 32 bits, so any score, even one ZADD wrote, decodes to the same position as on
 * Redis.
 */
final class GeoHash {
    private GeoHash() {}

    /** 26 steps: 52 bits, the precision of a stored score. */
    static final int STEP_MAX = 26;
    static final double LAT_MIN = -85.05112878;
    static final double LAT_MAX = 85.05112878;
    static final double LON_MIN = -180;
    static final double LON_MAX = 180;

    /** Redis's EARTH_RADIUS_IN_METERS (the quadratic mean radius of WGS-84). */
    static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
    private static final double MERCATOR_MAX = 20037726.37;
    /** geohash_helper.c's D_R, folded by the C compiler to one double. */
    private static final double D_R = Math.PI / 180.0;

    // ------------------------------------------------------------------ bits

    /** Spreads the low 32 bits of x into the even bit positions and y into the odd ones. */
    static long interleave64(long xlo, long ylo) {
        long x = xlo & 0xFFFFFFFFL;
        long y = ylo & 0xFFFFFFFFL;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x << 2)) & 0x3333333333333333L;
        y = (y | (y << 2)) & 0x3333333333333333L;
        x = (x | (x << 1)) & 0x5555555555555555L;
        y = (y | (y << 1)) & 0x5555555555555555L;
        return x | (y << 1);
    }

    /** The inverse: even bits gathered into the low word, odd bits into the high word. */
    static long deinterleave64(long interleaved) {
        long x = interleaved;
        long y = interleaved >>> 1;
        x = x & 0x5555555555555555L;
        y = y & 0x5555555555555555L;
        x = (x | (x >>> 1)) & 0x3333333333333333L;
        y = (y | (y >>> 1)) & 0x3333333333333333L;
        x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
        y = (y | (y >>> 4)) & 0x00FF00FF00FF00FFL;
        x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
        y = (y | (y >>> 8)) & 0x0000FFFF0000FFFFL;
        x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
        y = (y | (y >>> 16)) & 0x00000000FFFFFFFFL;
        return x | (y << 32);
    }

    /**
     * geohashEncode over the given ranges: the step*2-bit hash of (lon, lat), or -1 when the
     * point is outside Redis's limits or the ranges (a valid hash is never negative).
     */
    static long encode(double lonMin, double lonMax, double latMin, double latMax,
                       double lon, double lat, int step) {
        if (lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN) return -1;
        if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) return -1;
        double latOffset = (lat - latMin) / (latMax - latMin);
        double lonOffset = (lon - lonMin) / (lonMax - lonMin);
        latOffset *= (double) (1L << step);
        lonOffset *= (double) (1L << step);
        // C converts the offsets to uint32_t (truncation; they lie in [0, 2^step])
        return interleave64((long) latOffset, (long) lonOffset);
    }

    /** geohashEncodeWGS84: the hash over Redis's coordinate ranges, or -1 out of range. */
    static long encodeWGS84(double lon, double lat, int step) {
        return encode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, lon, lat, step);
    }

    /** geohashAlign52Bits: a step-bit hash as a 52-bit score prefix. */
    static long align52(long bits, int step) {
        return bits << (52 - step * 2);
    }

    /** The score GEOADD stores for a valid (lon, lat). */
    static long score(double lon, double lat) {
        return align52(encodeWGS84(lon, lat, STEP_MAX), STEP_MAX);
    }

    /**
     * {@code (uint64_t) score} as gcc compiles it for x86-64 (cvttsd2si, and for values at or
     * above 2^63 the same on score - 2^63 with the top bit flipped): out-of-range values give
     * the "integer indefinite" 0x8000000000000000, so -inf decodes as that and +inf as 0.
     */
    static long scoreBits(double score) {
        if (score < 9.223372036854775808E18) return cvttsd2si(score);
        return cvttsd2si(score - 9.223372036854775808E18) ^ Long.MIN_VALUE;
    }

    private static long cvttsd2si(double d) {
        if (Double.isNaN(d) || d >= 9.223372036854775808E18 || d < -9.223372036854775808E18) return Long.MIN_VALUE;
        return (long) d;
    }

    // ------------------------------------------------------------------ decoding

    /**
     * geohashDecode: the cell of hash {@code bits} (of {@code step}) over the given ranges, as
     * {lonMin, lonMax, latMin, latMax}, written into {@code area}.
     */
    static void decode(double lonMin, double lonMax, double latMin, double latMax,
                       long bits, int step, double[] area) {
        long sep = deinterleave64(bits);
        long ilato = sep & 0xFFFFFFFFL;
        long ilono = sep >>> 32;
        double latScale = latMax - latMin;
        double lonScale = lonMax - lonMin;
        double cells = (double) (1L << step);
        // (ilat + 1) is uint32_t arithmetic in C: it wraps
        area[2] = latMin + (ilato * 1.0 / cells) * latScale;
        area[3] = latMin + (((ilato + 1) & 0xFFFFFFFFL) * 1.0 / cells) * latScale;
        area[0] = lonMin + (ilono * 1.0 / cells) * lonScale;
        area[1] = lonMin + (((ilono + 1) & 0xFFFFFFFFL) * 1.0 / cells) * lonScale;
    }

    /**
     * decodeGeohash of geo.c: the position {lon, lat} a score stands for (its cell's center,
     * clamped to the limits), written into {@code xy}. Redis's decode never fails for a
     * 26-step hash, so neither does this.
     */
    static void decodeScore(double score, double[] xy) {
        // geohashDecode over Redis's ranges at 26 steps, then the cell's center, clamped
        long sep = deinterleave64(scoreBits(score));
        long ilato = sep & 0xFFFFFFFFL;
        long ilono = sep >>> 32;
        double cells = (double) (1L << STEP_MAX);
        double latScale = LAT_MAX - LAT_MIN;
        double lonScale = LON_MAX - LON_MIN;
        double latMin = LAT_MIN + (ilato * 1.0 / cells) * latScale;
        double latMax = LAT_MIN + (((ilato + 1) & 0xFFFFFFFFL) * 1.0 / cells) * latScale;
        double lonMin = LON_MIN + (ilono * 1.0 / cells) * lonScale;
        double lonMax = LON_MIN + (((ilono + 1) & 0xFFFFFFFFL) * 1.0 / cells) * lonScale;
        double lon = (lonMin + lonMax) / 2;
        if (lon > LON_MAX) lon = LON_MAX;
        if (lon < LON_MIN) lon = LON_MIN;
        double lat = (latMin + latMax) / 2;
        if (lat > LAT_MAX) lat = LAT_MAX;
        if (lat < LAT_MIN) lat = LAT_MIN;
        xy[0] = lon;
        xy[1] = lat;
    }

    private static final byte[] ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * GEOHASH's 11-character string of a score: the position re-encoded over the standard
     * ranges (latitude +-90), 52 bits in ten base-32 characters and a final '0'.
     */
    static byte[] standardGeohash(double score) {
        double[] xy = new double[2];
        decodeScore(score, xy);
        long hash = encode(-180, 180, -90, 90, xy[0], xy[1], 26);
        byte[] out = new byte[11];
        for (int i = 0; i < 11; i++) {
            int idx = i == 10 ? 0 : (int) ((hash >>> (52 - ((i + 1) * 5))) & 0x1f);
            out[i] = ALPHABET[idx];
        }
        return out;
    }

    // ------------------------------------------------------------------ neighbours

    private static final long ODD_BITS = 0xaaaaaaaaaaaaaaaaL;  // longitude
    private static final long EVEN_BITS = 0x5555555555555555L; // latitude

    /** geohash_move_x: one cell east (d > 0) or west (d < 0) of a step-bit hash. */
    private static long moveX(long bits, int step, int d) { return move(bits, step, d, ODD_BITS); }

    /** geohash_move_y: one cell north (d > 0) or south (d < 0). */
    private static long moveY(long bits, int step, int d) { return move(bits, step, d, EVEN_BITS); }

    /**
     * Adds or subtracts one to the coordinate held in the {@code own} bits of the hash: the other
     * coordinate's bits are set (or cleared) so that the carry runs through them, then dropped.
     */
    private static long move(long bits, int step, int d, long own) {
        if (d == 0) return bits;
        long v = bits & own;
        long rest = bits & ~own;
        long zz = ~own >>> (64 - step * 2);
        if (d > 0) {
            v = v + (zz + 1);
        } else {
            v = v | zz;
            v = v - (zz + 1);
        }
        v &= own >>> (64 - step * 2);
        return v | rest;
    }

    // ------------------------------------------------------------------ search shapes

    /**
     * A search: its center (lon, lat), radius or box (in the request's unit) and the unit's size
     * in meters; Redis's GeoShape.
     */
    static final class Shape {
        boolean box;
        double lon, lat;
        double conversion;
        double radius;
        double width, height;
        /** The bounding box, filled by {@link #areas}: min lon, min lat, max lon, max lat. */
        final double[] bounds = new double[4];
    }

    /**
     * The boxes a search looks in (geohashCalculateAreasByShapeWGS84): the center cell and its
     * eight neighbours, in Redis's order (center, N, S, E, W, NE, NW, SE, SW), all of one step;
     * a box Redis excluded has {@code zero[i]} set.
     */
    static final class Areas {
        final long[] bits = new long[9];
        final boolean[] zero = new boolean[9];
        int step;
    }

    /** geohashEstimateStepsByRadius. */
    static int estimateStepsByRadius(double rangeMeters, double lat) {
        if (rangeMeters == 0) return 26;
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2; // make sure the range is included in most base cases
        // wider range towards the poles
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) step--;
        }
        if (step < 1) step = 1;
        if (step > 26) step = 26;
        return step;
    }

    private static double degRad(double ang) { return ang * D_R; }

    private static double radDeg(double ang) { return ang / D_R; }

    /** geohashBoundingBox: fills shape.bounds. */
    static void boundingBox(Shape s) {
        double height = s.conversion * (s.box ? s.height / 2 : s.radius);
        double width = s.conversion * (s.box ? s.width / 2 : s.radius);
        double latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
        double lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat + latDelta)));
        double lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat - latDelta)));
        // the hemispheres bend the box opposite ways: the wider edge gives the longitudes
        boolean southern = s.lat < 0;
        s.bounds[0] = southern ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop;
        s.bounds[2] = southern ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop;
        s.bounds[1] = s.lat - latDelta;
        s.bounds[3] = s.lat + latDelta;
    }

    /** geohashCalculateAreasByShapeWGS84. */
    static Areas areas(Shape s) {
        boundingBox(s);
        double minLon = s.bounds[0], minLat = s.bounds[1], maxLon = s.bounds[2], maxLat = s.bounds[3];
        double radiusMeters = s.box
                ? Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))
                : s.radius;
        radiusMeters *= s.conversion;
        int steps = estimateStepsByRadius(radiusMeters, s.lat);
        long hash = encodeWGS84(s.lon, s.lat, steps);
        double[] area = new double[4];
        double[] n = new double[4];
        // a step can be too coarse at the edges of the covered area: when a direct neighbour
        // does not reach past the bounding box, one step less
        boolean decrease = false;
        decode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, moveY(hash, steps, 1), steps, n);
        if (n[3] < maxLat) decrease = true;
        decode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, moveY(hash, steps, -1), steps, n);
        if (n[2] > minLat) decrease = true;
        decode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, moveX(hash, steps, 1), steps, n);
        if (n[1] < maxLon) decrease = true;
        decode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, moveX(hash, steps, -1), steps, n);
        if (n[0] > minLon) decrease = true;
        if (steps > 1 && decrease) {
            steps--;
            hash = encodeWGS84(s.lon, s.lat, steps);
        }
        decode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, hash, steps, area);
        Areas r = new Areas();
        r.step = steps;
        int[][] moves = {{0, 0}, {0, 1}, {0, -1}, {1, 0}, {-1, 0}, {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
        for (int i = 0; i < 9; i++) r.bits[i] = moveY(moveX(hash, steps, moves[i][0]), steps, moves[i][1]);
        // exclude the boxes that cannot hold a match
        if (steps >= 2) {
            if (area[2] < minLat) exclude(r, 2, 8, 7); // south, south west, south east
            if (area[3] > maxLat) exclude(r, 1, 5, 6); // north, north east, north west
            if (area[0] < minLon) exclude(r, 4, 8, 6); // west, south west, north west
            if (area[1] > maxLon) exclude(r, 3, 7, 5); // east, south east, north east
        }
        return r;
    }

    private static void exclude(Areas r, int a, int b, int c) {
        r.zero[a] = r.zero[b] = r.zero[c] = true;
    }

    /** scoresOfGeoHashBox: the score interval [min, max) of every point inside a box. */
    static long boxMin(long bits, int step) { return align52(bits, step); }

    static long boxMax(long bits, int step) { return align52(bits + 1, step); }

    // ------------------------------------------------------------------ distances

    /** geohashGetLatDistance: the distance along a meridian. */
    static double latDistance(double lat1d, double lat2d) {
        return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
    }

    // ------------------------------------------------------------------ libm

    /*
     * The distances go through C's sin, cos and asin, and STOREDIST stores them with every bit.
     * glibc's are within ~0.51 ulp of the exact value, i.e. correctly rounded nearly always;
     * so is HotSpot's Math.sin/cos (Intel's libm), while Math.asin (fdlibm) differs from glibc
     * in the last bit for ~6% of arguments. asin is therefore computed here, correctly rounded
     * but for arguments within ~2^-100 of a rounding midpoint: one Newton step in double-double
     * from fdlibm's result. Where glibc itself is not correctly rounded (~0.1% of arguments per
     * function) a distance can still differ from Redis's in its last bits.
     */

    private static final double PIO2_HI = 1.5707963267948966;
    private static final double PIO2_LO = 6.123233995736766E-17;

    /**
     * asin(y), correctly rounded (as glibc's nearly always is); NaN outside [-1, 1]. Allocation
     * free: it runs for every candidate point of a search.
     */
    static double asin(double y) {
        if (!(Math.abs(y) <= 1)) return Double.NaN;
        if (y == 0) return y; // keeps -0.0
        double ay = Math.abs(y);
        double r;
        if (ay <= 0.5) {
            double t = StrictMath.asin(ay);
            r = t + newtonStep(ay, 0, t); // |step| is about an ulp: one rounding
        } else {
            // asin(y) = pi/2 - 2 asin(z), z = sqrt((1 - y) / 2); 1 - y and the halving are exact
            double w = (1 - ay) / 2;
            double zh = Math.sqrt(w);
            double zl = zh == 0 ? 0 : Math.fma(-zh, zh, w) / (2 * zh);
            double t = StrictMath.asin(zh);
            double d = newtonStep(zh, zl, t);
            // pi/2 - 2t as an exact two-sum, the small parts added once
            double s = PIO2_HI - 2 * t;
            double bb = s - PIO2_HI;
            double err = (PIO2_HI - (s - bb)) + (-2 * t - bb);
            r = s + (err + (PIO2_LO - 2 * d));
        }
        return y < 0 ? -r : r;
    }

    /**
     * The Newton correction (z - sin t) / cos t that takes t, fdlibm's asin of z = zh + zl
     * (0 <= z <= 0.5, within an ulp), to asin(z) within ~2^-100: sin t is summed from its
     * Taylor series in double-double.
     */
    private static double newtonStep(double zh, double zl, double t) {
        double t2h = t * t;
        double t2l = Math.fma(t, t, -t2h);
        double th = t, tl = 0; // the current term t^(2k+1) / (2k+1)!, signed
        double sh = t, sl = 0; // the sum so far
        for (int k = 1; k < 20 && Math.abs(th) >= 1e-36 * t; k++) {
            double p = th * t2h;
            double e = Math.fma(th, t2h, -p) + (th * t2l + tl * t2h);
            double h = p + e;
            double l = e - (h - p);
            double div = -(2.0 * k) * (2.0 * k + 1);
            double q = h / div;
            double q2 = (Math.fma(-q, div, h) + l) / div;
            th = q + q2;
            tl = q2 - (th - q);
            double s = sh + th;
            double bb = s - sh;
            sl += ((sh - (s - bb)) + (th - bb)) + tl;
            sh = s;
        }
        double hi = sh + sl;
        double lo = sl - (hi - sh);
        // zh - hi is exact: they are within a few ulps of each other
        return (((zh - hi) - lo) + zl) / Math.cos(t);
    }

    /** geohashGetDistance: the haversine great-circle distance in meters. */
    static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
        double lon1r = degRad(lon1d);
        double lon2r = degRad(lon2d);
        double v = Math.sin((lon2r - lon1r) / 2);
        // same longitude: the haversine reduces to the latitude difference
        if (v == 0.0) return latDistance(lat1d, lat2d);
        double lat1r = degRad(lat1d);
        double lat2r = degRad(lat2d);
        double u = Math.sin((lat2r - lat1r) / 2);
        double a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a));
    }

    /** What {@link #distanceIfWithin} returns for a point outside the shape. */
    static final double OUTSIDE = -1;

    /**
     * geoWithinShape after the decode: the distance from the shape's center to (lon, lat) when
     * the point is inside the shape, else {@link #OUTSIDE} (distances are never negative; a NaN
     * distance, possible for nearly antipodal points, is inside, as C's comparisons make it).
     */
    static double distanceIfWithin(Shape s, double lon, double lat) {
        if (!s.box) {
            double d = distance(s.lon, s.lat, lon, lat);
            return d > s.radius * s.conversion ? OUTSIDE : d;
        }
        double widthM = s.width * s.conversion;
        double heightM = s.height * s.conversion;
        // the latitude distance is cheaper: checked first
        if (latDistance(lat, s.lat) > heightM / 2) return OUTSIDE;
        if (distance(lon, lat, s.lon, lat) > widthM / 2) return OUTSIDE;
        return distance(s.lon, s.lat, lon, lat);
    }
}
