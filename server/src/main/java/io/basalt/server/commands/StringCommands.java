package io.basalt.server.commands;

import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.resp.RespRequest;
import io.basalt.server.Client;
import io.basalt.server.command.CommandTable;

/** String commands. */
public final class StringCommands {
    private StringCommands() {}

    static void register(CommandTable t) {
        t.register("get", StringCommands::get);
        t.register("set", StringCommands::set);
    }

    static void get(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        Object e = Generic.lookupRead(c, key);
        if (e == null) {
            c.out().nullBulk();
        } else if (e instanceof byte[] r) {
            int off = StringRecord.valueOffset(r);
            c.out().bulk(r, off, r.length - off);
        } else {
            c.error(Generic.WRONGTYPE);
        }
    }

    static void set(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        Shard s = c.server().keyspace().shardOf(key);
        int vOff = a.offset(2);
        int vLen = a.length(2);
        byte[] value = new byte[vLen];
        a.buffer().getBytes(vOff, value);
        s.put(c.db(), key, StringRecord.create(key, value, -1, StringRecord.encodingFor(value, 0, vLen)));
        c.out().ok();
    }
}
