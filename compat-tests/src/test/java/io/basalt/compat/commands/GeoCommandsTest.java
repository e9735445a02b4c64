package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.resp.RespValue;
import io.basalt.server.exec.Effect;
import io.basalt.server.exec.EffectSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The geo commands byte for byte against redis-server 7.0, in RESP2 and RESP3: GEOADD's options
 * and coordinate checks, GEOPOS/GEOHASH/GEODIST (also of plain sorted sets with any score), every
 * error path of the searches in Redis's order, sorting with equal distances (glibc's merge sort
 * and Redis's pqsort), COUNT/ANY, the STORE forms (same key, empty result deleting the
 * destination, missing source), key specs, keyspace events and what is propagated.
 */
class GeoCommandsTest extends DifferentialTest {

    @AfterEach
    void restore() {
        for (RawClient c : new RawClient[]{redis, basalt}) {
            c.call("CONFIG", "SET", "zset-max-listpack-entries", "128");
            c.call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    private void sicily() {
        same("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
        same("GEOADD", "Sicily", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2");
    }

    @Test
    void geoaddOptionsAndCoordinates() {
        both(() -> {
            sicily();
            same("ZRANGE", "Sicily", "0", "-1", "WITHSCORES");
            same("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo"); // same place: no change
            same("GEOADD", "Sicily", "CH", "13.361389", "38.115556", "Palermo", "13", "38", "Catania");
            same("GEOADD", "Sicily", "NX", "1", "1", "Palermo", "2", "2", "new");
            same("GEOADD", "Sicily", "XX", "1", "1", "Palermo", "3", "3", "nope");
            same("GEOADD", "Sicily", "xx", "ch", "4", "4", "Palermo", "3", "3", "nope");
            same("GEOADD", "Sicily", "ch", "nx", "ch", "5", "5", "Palermo", "6", "6", "other");
            same("ZRANGE", "Sicily", "0", "-1", "WITHSCORES");
            // option and argument count errors
            same("GEOADD", "Sicily", "NX", "XX", "1", "1", "a");
            same("GEOADD", "Sicily", "1", "1", "a", "2");
            same("GEOADD", "Sicily", "1", "1");
            same("GEOADD", "Sicily", "nx", "ch", "xx");
            same("GEOADD", "Sicily", "nx", "ch", "ch");
            same("GEOADD", "Sicily", "GT", "1", "1", "a");
            same("GEOADD", "Sicily", "GT", "1", "a");
            same("GEOADD", "Sicily", "INCR", "1", "a");
            // coordinates: range limits and the "%f" of the error, parsing as Redis's string2d
            String[][] pairs = {{"180", "85.05112878"}, {"-180", "-85.05112878"}, {"180.0000001", "0"},
                    {"-180.0000001", "0"}, {"0", "85.05112879"}, {"0", "-85.05112879"}, {"200", "10"},
                    {"-0", "100"}, {"-1e-300", "90"}, {"1e300", "0"}, {"inf", "0"}, {"0", "-inf"},
                    {"nan", "0"}, {"1e400", "0"}, {"1e-400", "0"}, {"0x10", "0x1p3"}, {" 1", "1"},
                    {"1 ", "1"}, {"", "1"}, {"abc", "1"}, {"1", "abc"}, {"12.3456789e1", "-1.5E1"},
                    {"179.99999999999999", "85.0511287799999"}, {"-180", "85.05112878"}};
            for (String[] p : pairs) same("GEOADD", "Sicily", p[0], p[1], "p" + p[0] + p[1]);
            same("GEOPOS", "Sicily", "p18085.05112878", "p-180-85.05112878", "p0x100x1p3", "p12.3456789e1-1.5E1");
            // an error in a later triple adds nothing
            same("GEOADD", "Sicily", "1", "1", "first", "500", "1", "second");
            same("ZCARD", "Sicily");
            // the checks run before the type check
            same("SET", "str", "x");
            same("GEOADD", "str", "200", "1", "a");
            same("GEOADD", "str", "1", "1", "a");
            same("GEOADD", "str", "NX", "XX", "1", "1", "a");
        });
    }

    @Test
    void geoaddConvertsEncodingsAsZadd() {
        same("CONFIG", "SET", "zset-max-listpack-entries", "4");
        List<String> c = new ArrayList<>(List.of("GEOADD", "g"));
        for (int i = 0; i < 6; i++) {
            c.add(Integer.toString(i));
            c.add(Integer.toString(i));
            c.add("m" + i);
        }
        same("GEOADD", "g", "1", "1", "a");
        same("OBJECT", "ENCODING", "g");
        same(c.toArray(new String[0]));
        same("OBJECT", "ENCODING", "g");
        same("GEOSEARCH", "g", "FROMMEMBER", "m3", "BYRADIUS", "200", "km", "ASC", "WITHDIST", "WITHHASH", "WITHCOORD");
    }

    @Test
    void geoposGeohashGeodist() {
        both(() -> {
            sicily();
            same("GEOPOS", "Sicily", "Palermo", "missing", "Catania");
            same("GEOPOS", "nokey", "a", "b");
            same("GEOPOS", "Sicily");
            same("GEOHASH", "Sicily", "Palermo", "Catania", "missing", "edge1");
            same("GEOHASH", "nokey", "a");
            same("GEOHASH", "Sicily");
            for (String unit : new String[]{"m", "km", "ft", "mi", "M", "KM", "Ft", "mI"}) {
                same("GEODIST", "Sicily", "Palermo", "Catania", unit);
            }
            same("GEODIST", "Sicily", "Palermo", "Catania");
            same("GEODIST", "Sicily", "Palermo", "Palermo");
            same("GEODIST", "Sicily", "Palermo", "missing");
            same("GEODIST", "Sicily", "missing", "Palermo");
            same("GEODIST", "nokey", "a", "b");
            same("GEODIST", "nokey", "a", "b", "km");
            same("GEODIST", "nokey", "a", "b", "yd");
            same("GEODIST", "Sicily", "Palermo", "Catania", "yd");
            same("GEODIST", "Sicily", "Palermo", "Catania", "km", "extra");
            same("GEODIST", "Sicily", "Palermo");
            // extremes: the poles' limits, the antimeridian, antipodes
            same("GEOADD", "x", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "o",
                    "179.9999", "0", "e", "-179.9999", "0", "w", "0", "10", "n", "180", "-10", "anti", "90", "0", "q");
            same("GEOPOS", "x", "ne", "sw", "o", "e", "w", "anti");
            same("GEOHASH", "x", "ne", "sw", "o", "e", "w", "anti");
            String[] names = {"ne", "sw", "o", "e", "w", "n", "anti", "q"};
            for (String a : names) for (String b : names) same("GEODIST", "x", a, b);
            // plain sorted sets: any score decodes, as C's (uint64_t) conversion makes it
            same("ZADD", "z", "-5", "a", "1e19", "b", "1.8e19", "c", "1e30", "d", "inf", "e", "-inf", "f",
                    "4503599627370496", "g", "9007199254740993", "h", "0", "i", "-0.5", "j", "123.75", "k");
            same("GEOPOS", "z", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
            same("GEOHASH", "z", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
            same("GEODIST", "z", "a", "f", "km");
            same("GEODIST", "z", "d", "h");
            // wrong types
            same("SET", "str", "x");
            same("GEOPOS", "str", "a");
            same("GEOHASH", "str", "a");
            same("GEODIST", "str", "a", "b");
            same("GEODIST", "str", "a", "b", "yd");
        });
    }

    @Test
    void searchErrorsInRedisOrder() {
        both(() -> {
            sicily();
            same("SET", "str", "x");
            String[][] cmds = {
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "BOGUS"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "yd"},
                    {"GEORADIUS", "Sicily", "15", "37", "-1", "km"},
                    {"GEORADIUS", "Sicily", "15", "37", "abc", "km"},
                    {"GEORADIUS", "Sicily", "15", "37", "abc", "yd"},
                    {"GEORADIUS", "Sicily", "190", "37", "abc", "km"},
                    {"GEORADIUS", "Sicily", "x", "37", "200", "km"},
                    {"GEORADIUS", "Sicily", "15", "90", "200", "km"},
                    {"GEORADIUS", "str", "15", "90", "200", "km"},
                    {"GEORADIUS", "nokey", "15", "90", "200", "km"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "-3"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "x"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "99999999999999999999"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY", "COUNT", "0"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d", "WITHDIST"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHHASH", "STOREDIST", "d"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d", "ANY"},
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km", "FROMMEMBER", "Palermo"},
                    {"GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "d", "WITHCOORD"},
                    {"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "d"},
                    {"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STOREDIST", "d"},
                    {"GEORADIUSBYMEMBER", "Sicily", "missing", "200", "km"},
                    {"GEORADIUSBYMEMBER", "Sicily", "missing", "-1", "yd"},
                    {"GEORADIUSBYMEMBER", "Sicily", "Palermo", "-1", "km"},
                    {"GEORADIUSBYMEMBER", "Sicily", "Palermo", "1", "yd"},
                    {"GEORADIUSBYMEMBER", "Sicily", "Palermo", "1", "km", "WITHX"},
                    {"GEORADIUSBYMEMBER", "nokey", "a", "-1", "yd", "WITHDIST"},
                    {"GEORADIUSBYMEMBER", "nokey", "a", "-1", "yd", "BOGUS"},
                    {"GEORADIUSBYMEMBER", "nokey", "a", "1", "km", "STORE", "d", "WITHDIST"},
                    {"GEORADIUSBYMEMBER", "str", "a", "1", "km"},
                    {"GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "1", "km", "STORE", "d"},
                    {"GEOSEARCH", "Sicily"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo"},
                    {"GEOSEARCH", "Sicily", "BYRADIUS", "10", "km"},
                    {"geosearch", "Sicily", "BYRADIUS", "10", "km"},
                    {"GeoSearch", "Sicily", "FROMLONLAT", "15", "37"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMMEMBER", "Catania", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "missing", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "1", "1", "km", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "x", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "1", "x", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "-1", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "1", "-1", "yd"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "1", "1", "yd"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "x", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1"},
                    {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "95", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STORE", "d"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STOREDIST"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "ANY"},
                    {"GEOSEARCH", "nokey", "FROMMEMBER", "a", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "nokey", "FROMMEMBER", "a"},
                    {"GEOSEARCH", "nokey", "FROMMEMBER", "a", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"},
                    {"GEOSEARCH", "str", "FROMMEMBER", "a", "BYRADIUS", "1", "km"},
                    {"GEOSEARCHSTORE", "d", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "WITHDIST"},
                    {"GEOSEARCHSTORE", "d", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STORE", "x"},
                    {"GEOSEARCHSTORE", "d", "Sicily", "FROMMEMBER", "Palermo"},
                    {"geosearchstore", "d", "Sicily", "BYBOX", "1", "1", "m"},
                    {"GEOSEARCHSTORE", "d", "str", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"},
                    // strcasecmp: an option ends at a NUL byte
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km\u0000x", "ASC\u0000zz"},
            };
            for (String[] c : cmds) same(c);
            same("EXISTS", "d");
        });
    }

    @Test
    void searchesWithEveryOption() {
        both(() -> {
            sicily();
            String[][] shapes = {
                    {"GEORADIUS", "Sicily", "15", "37", "200", "km"},
                    {"GEORADIUS", "Sicily", "15", "37", "200000", "m"},
                    {"GEORADIUS_RO", "Sicily", "15", "37", "124.27", "mi"},
                    {"GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "km"},
                    {"GEORADIUSBYMEMBER_RO", "Sicily", "Catania", "656168", "ft"},
                    {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km"},
                    {"GEOSEARCH", "Sicily", "BYBOX", "500", "100", "km", "FROMLONLAT", "15", "37"},
                    {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "0", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "0", "km"},
                    {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "0", "0", "km"},
                    {"GEOSEARCH", "Sicily", "FROMLONLAT", "-165", "-37", "BYRADIUS", "20000", "km"},
                    {"GEOSEARCH", "Sicily", "FROMLONLAT", "0", "85", "BYBOX", "40000", "10000", "km"},
            };
            String[][] opts = {{}, {"WITHDIST"}, {"WITHCOORD"}, {"WITHHASH"}, {"WITHDIST", "WITHCOORD", "WITHHASH"},
                    {"ASC"}, {"DESC", "WITHDIST"}, {"COUNT", "1"}, {"COUNT", "2", "DESC"}, {"COUNT", "1", "ANY"},
                    {"COUNT", "3", "ANY", "DESC", "WITHDIST"}, {"ASC", "DESC"}, {"withcoord", "withdist", "count", "10"}};
            for (String[] s : shapes) {
                for (String[] o : opts) {
                    String[] c = new String[s.length + o.length];
                    System.arraycopy(s, 0, c, 0, s.length);
                    System.arraycopy(o, 0, c, s.length, o.length);
                    same(c);
                }
            }
            same("GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST");
            same("GEORADIUSBYMEMBER", "nokey", "a", "1", "km");
        });
    }

    /**
     * Many members on few positions: equal distances everywhere. A full sort is glibc's stable
     * merge sort; a COUNT below the result size is Redis's pqsort (median of three, and of
     * nine past 40 elements), whose order of equals is its own.
     */
    @Test
    void equalDistancesSortAsRedis() {
        both(() -> {
            List<String> c = new ArrayList<>(List.of("GEOADD", "dup"));
            String[][] spots = {{"10", "10"}, {"10.01", "10"}, {"9.99", "10"}, {"10", "10.01"}, {"10", "9.99"}, {"10.02", "10.02"}};
            for (int i = 0; i < 150; i++) {
                String[] p = spots[(i * 7) % spots.length];
                c.add(p[0]);
                c.add(p[1]);
                c.add("m" + String.format("%03d", (i * 37) % 150));
            }
            same(c.toArray(new String[0]));
            for (String sort : new String[]{"ASC", "DESC"}) {
                for (String n : new String[]{"1", "3", "6", "7", "8", "20", "41", "45", "100", "149", "150", "151"}) {
                    same("GEOSEARCH", "dup", "FROMLONLAT", "10", "10", "BYRADIUS", "10", "km", sort, "COUNT", n);
                    same("GEOSEARCH", "dup", "FROMLONLAT", "10", "10", "BYRADIUS", "10", "km", sort, "COUNT", n, "WITHDIST");
                    same("GEORADIUS", "dup", "10.005", "10", "10", "km", sort, "COUNT", n, "STOREDIST", "sd");
                    same("ZRANGE", "sd", "0", "-1", "WITHSCORES");
                }
                same("GEOSEARCH", "dup", "FROMLONLAT", "10", "10", "BYRADIUS", "10", "km", sort);
                same("GEOSEARCH", "dup", "FROMMEMBER", "m000", "BYBOX", "10", "10", "km", sort, "WITHDIST");
            }
            same("GEOSEARCH", "dup", "FROMLONLAT", "10", "10", "BYRADIUS", "10", "km");
            same("GEOSEARCH", "dup", "FROMLONLAT", "10", "10", "BYRADIUS", "10", "km", "COUNT", "5", "ANY");
            same("GEOSEARCH", "dup", "FROMLONLAT", "10", "10", "BYRADIUS", "10", "km", "COUNT", "70", "ANY", "ASC");
        });
    }

    @Test
    void storeForms() {
        both(() -> {
            sicily();
            // STORE keeps the geohash scores, STOREDIST the distances in the unit
            same("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst");
            same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
            same("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst", "ASC", "COUNT", "1");
            same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
            same("GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "km", "STOREDIST", "dst2", "DESC");
            same("ZRANGE", "dst2", "0", "-1", "WITHSCORES");
            same("GEOSEARCHSTORE", "dst3", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "STOREDIST");
            same("ZRANGE", "dst3", "0", "-1", "WITHSCORES");
            same("GEOSEARCHSTORE", "dst3", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "COUNT", "2");
            same("ZRANGE", "dst3", "0", "-1", "WITHSCORES");
            // the last STORE/STOREDIST wins
            same("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "{a}1", "STOREDIST", "{b}2");
            same("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "{c}1", "STORE", "{d}2");
            same("EXISTS", "{a}1", "{b}2", "{c}1", "{d}2");
            same("ZRANGE", "{b}2", "0", "-1", "WITHSCORES");
            // into the source itself
            same("GEOSEARCHSTORE", "Sicily", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km");
            same("ZRANGE", "Sicily", "0", "-1", "WITHSCORES");
            same("GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "STOREDIST", "Sicily");
            same("ZRANGE", "Sicily", "0", "-1", "WITHSCORES");
            same("TYPE", "Sicily");
            // a destination of another type is replaced
            same("SET", "s", "x");
            same("GEORADIUSBYMEMBER", "dst2", "Palermo", "1000", "km", "STORE", "s");
            same("TYPE", "s");
            same("ZRANGE", "s", "0", "-1", "WITHSCORES");
            same("OBJECT", "ENCODING", "s");
            // no result deletes the destination, a missing source too
            same("GEORADIUS", "dst2", "-100", "-50", "1", "m", "STORE", "s");
            same("EXISTS", "s");
            same("SET", "s", "x");
            same("GEOSEARCHSTORE", "s", "dst2", "FROMLONLAT", "-100", "-50", "BYRADIUS", "1", "m");
            same("EXISTS", "s");
            same("GEOSEARCHSTORE", "s", "dst2", "FROMLONLAT", "-100", "-50", "BYRADIUS", "1", "m");
            same("SET", "s", "x");
            same("GEORADIUS", "nokey", "0", "0", "1", "km", "STORE", "s");
            same("EXISTS", "s");
            same("GEORADIUS", "nokey", "0", "0", "1", "km", "STORE", "s");
            same("SET", "s", "x");
            same("GEORADIUSBYMEMBER", "nokey", "m", "1", "km", "STOREDIST", "s");
            same("EXISTS", "s");
            same("SET", "s", "x");
            same("GEOSEARCHSTORE", "s", "nokey", "FROMMEMBER", "m", "BYRADIUS", "1", "km");
            same("EXISTS", "s");
            // a failed search leaves the destination alone
            same("SET", "s", "x");
            same("GEOSEARCHSTORE", "s", "dst2", "FROMMEMBER", "missing", "BYRADIUS", "1", "km");
            same("GET", "s");
            same("DBSIZE");
        });
    }

    @Test
    void keySpecsAndMetadata() {
        both(() -> {
            String[][] cmds = {
                    {"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d"},
                    {"GEORADIUS", "k", "0", "0", "1", "km", "STOREDIST", "d"},
                    {"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "a", "STOREDIST", "b"},
                    {"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "a", "STORE", "b"},
                    {"GEORADIUS", "k", "0", "0", "1", "km"},
                    {"GEORADIUSBYMEMBER", "k", "m", "1", "km", "STORE", "d"},
                    {"GEORADIUSBYMEMBER", "k", "m", "1", "km", "WITHDIST", "STOREDIST", "d"},
                    {"GEORADIUS_RO", "k", "0", "0", "1", "km"},
                    {"GEORADIUSBYMEMBER_RO", "k", "m", "1", "km"},
                    {"GEOSEARCH", "k", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
                    {"GEOSEARCHSTORE", "d", "k", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
                    {"GEOADD", "k", "1", "1", "m"},
                    {"GEODIST", "k", "a", "b"},
                    {"GEOPOS", "k", "a"},
                    {"GEOHASH", "k", "a"},
            };
            for (String[] c : cmds) {
                String[] keys = new String[c.length + 2];
                keys[0] = "COMMAND";
                keys[1] = "GETKEYS";
                System.arraycopy(c, 0, keys, 2, c.length);
                same(keys);
                keys[1] = "GETKEYSANDFLAGS";
                same(keys);
            }
            for (String name : new String[]{"geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro",
                    "georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore"}) {
                same("COMMAND", "INFO", name);
                same("COMMAND", "DOCS", name);
            }
            same("GEOADD", "k");
            same("GEOPOS");
            same("GEODIST", "k", "a");
            same("GEORADIUS", "k", "0", "0", "1");
            same("GEORADIUSBYMEMBER", "k", "m", "1");
            same("GEOSEARCH", "k");
            same("GEOSEARCHSTORE", "d", "k", "FROMMEMBER", "m", "BYRADIUS");
        });
    }

    /**
     * RESP3 connections subscribed to their own keyspace events: replies and push frames must
     * come in Redis's order (GEOADD's "zadd" after its reply, the STORE forms' events before).
     */
    @Test
    void keyspaceEventsInRedisOrder() {
        resp3();
        same("CONFIG", "SET", "notify-keyspace-events", "KEA");
        for (RawClient c : new RawClient[]{redis, basalt}) c.call("PSUBSCRIBE", "__key*__:*");
        String[][] cmds = {
                {"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
                {"GEOADD", "g", "13.361389", "38.115556", "Palermo"},
                {"GEOADD", "g", "XX", "CH", "13", "38", "Palermo"},
                {"GEOADD", "g", "200", "38", "bad"},
                {"GEORADIUS", "g", "15", "37", "200", "km"},
                {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"},
                {"GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "d"},
                {"GEORADIUSBYMEMBER", "g", "Palermo", "1", "m", "STORE", "d"},
                {"GEORADIUSBYMEMBER", "g", "Palermo", "1", "m", "STORE", "d"},
                {"GEOSEARCHSTORE", "e", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km"},
                {"GEOSEARCHSTORE", "e", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km", "STOREDIST"},
                {"GEOSEARCHSTORE", "e", "nokey", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km"},
                {"GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km"},
                {"GEOPOS", "nokey", "a"},
        };
        for (String[] c : cmds) {
            List<String> r = frames(redis, c);
            List<String> b = frames(basalt, c);
            assertEquals(String.join("\n", r), String.join("\n", b), String.join(" ", c));
        }
    }

    /** The reply frames and pushes a command causes, up to the reply of a PING sent after it. */
    private static List<String> frames(RawClient c, String[] cmd) {
        c.send(cmd);
        c.send("PING", "end-of-frames");
        List<String> out = new ArrayList<>();
        while (true) {
            RespValue v = c.read();
            if (v.type() == '$' && "end-of-frames".equals(v.string())) return out;
            out.add(v.rawString());
        }
    }

    /**
     * What the AOF and replicas get, with Redis's forms (checked against redis-server's AOF):
     * GEOADD as the ZADD it runs ("zadd", its options as sent, the scores as integers), only
     * when it changed something; a STORE search as itself; reads nothing.
     */
    @Test
    void propagatedForms() throws InterruptedException {
        BasaltInstance b = BasaltInstance.start("--appendonly", "no", "--save", "");
        List<String> units = new ArrayList<>();
        EffectSink sink = (seq, effects) -> {
            StringBuilder s = new StringBuilder();
            for (Effect e : effects) {
                if (s.length() > 0) s.append('|');
                for (int i = 0; i < e.argv().length; i++) {
                    if (i > 0) s.append(' ');
                    s.append(new String(e.argv()[i], StandardCharsets.ISO_8859_1));
                }
            }
            synchronized (units) {
                units.add(s.toString());
            }
        };
        b.server().effects().subscribe(sink);
        try (RawClient c = new RawClient(b.port())) {
            c.call("GEOADD", "k", "ch", "nx", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
            c.call("GEOADD", "k", "nx", "13.361389", "38.115556", "Palermo");
            c.call("GEOADD", "k", "200", "1", "x");
            c.call("GEORADIUS", "k", "15", "37", "200", "km");
            c.call("GEORADIUS_RO", "k", "15", "37", "200", "km");
            c.call("GEORADIUS", "k", "15", "37", "200", "km", "store", "dst");
            c.call("GEOSEARCHSTORE", "d4", "k", "frommember", "Palermo", "byradius", "1", "m", "storedist");
            c.call("GEOSEARCHSTORE", "d5", "k", "fromlonlat", "0", "0", "byradius", "1", "m"); // nothing to delete
            c.call("SET", "end", "1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                synchronized (units) {
                    if (units.size() >= 4) break;
                }
                Thread.sleep(5);
            }
        } finally {
            b.server().effects().unsubscribe(sink);
            b.stop();
        }
        synchronized (units) {
            assertEquals(List.of(
                    "zadd k ch nx 3479099956230698 Palermo 3479447370796909 Catania",
                    "GEORADIUS k 15 37 200 km store dst",
                    "GEOSEARCHSTORE d4 k frommember Palermo byradius 1 m storedist",
                    "SET end 1"), units);
        }
    }
}
