package io.basalt.compat.harness;

import io.basalt.resp.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * FUNCTION LIST replies in a form two servers can be compared by: redis-server lists the
 * libraries, and the functions of a library, in its dicts' hash order (random per process), so
 * the functions of each library are sorted here; the libraries keep their order (tests list one
 * library at a time when there are several). Everything else is compared byte for byte.
 */
public final class FunctionLists {
    private FunctionLists() {}

    public static String canonical(RespValue list) {
        if (!list.isAggregate()) return wire(list);
        StringBuilder sb = new StringBuilder().append(list.type()).append(list.size());
        for (RespValue lib : list.elements()) {
            sb.append('[').append(lib.type()).append(lib.size());
            for (int i = 0; i + 1 < lib.size(); i += 2) {
                RespValue value = lib.get(i + 1);
                sb.append(wire(lib.get(i)));
                if ("functions".equals(lib.get(i).string())) {
                    List<String> functions = new ArrayList<>();
                    for (RespValue f : value.elements()) functions.add(wire(f));
                    Collections.sort(functions);
                    sb.append(value.type()).append(functions);
                } else {
                    sb.append(wire(value));
                }
            }
            sb.append(']');
        }
        return sb.toString();
    }

    private static String wire(RespValue v) {
        return new String(v.raw(), StandardCharsets.ISO_8859_1);
    }
}
