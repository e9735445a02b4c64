package io.basalt.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Keys and values shared by the benchmarks: key:0000000 style keys, fixed-size values. */
final class Data {
    private Data() {}

    static byte[][] keys(int n) {
        byte[][] k = new byte[n][];
        for (int i = 0; i < n; i++) k[i] = String.format("key:%07d", i).getBytes(StandardCharsets.US_ASCII);
        return k;
    }

    static byte[] value(int size) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) 'x');
        return v;
    }

    /** One RESP multibulk command. */
    static byte[] command(byte[]... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (byte[] a : args) {
            sb.append('$').append(a.length).append("\r\n").append(new String(a, StandardCharsets.ISO_8859_1)).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code count} commands alternating SET key value / GET key over distinct keys. */
    static byte[] setGetPipeline(int count, int valueSize) {
        byte[][] keys = keys(count);
        byte[] value = value(valueSize);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] c = (i & 1) == 0 ? command("SET".getBytes(), keys[i], value) : command("GET".getBytes(), keys[i - 1]);
            out.writeBytes(c);
        }
        return out.toByteArray();
    }
}
