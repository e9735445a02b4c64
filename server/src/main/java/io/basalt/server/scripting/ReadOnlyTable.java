package io.basalt.server.scripting;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A table scripts may read but not change once the sandbox is sealed: the library tables, their
 * metatables and the globals' metatable, as Redis 7.0.15 protects every table reachable from the
 * globals (lua_enablereadonlytable): "Attempt to modify a readonly table".
 */
final class ReadOnlyTable extends LuaTable {
    static final String ERROR = "Attempt to modify a readonly table";
    private boolean sealed;

    /** A read-only copy of {@code t}'s entries. */
    static ReadOnlyTable copyOf(LuaTable t) {
        ReadOnlyTable r = new ReadOnlyTable();
        LuaValue k = LuaValue.NIL;
        while (true) {
            org.luaj.vm2.Varargs n = t.next(k);
            if ((k = n.arg1()).isnil()) break;
            r.rawset(k, n.arg(2));
        }
        return r;
    }

    void seal() { sealed = true; }

    /**
     * The error of a write to a protected table: with the script's line when the VM made the
     * write (t.x = 1), without when a library function did (rawset), as Lua 5.1 positions them.
     */
    static LuaError modified() {
        boolean fromLibrary = StackWalker.getInstance().walk(s -> s.limit(8)
                .anyMatch(f -> f.getClassName().startsWith("org.luaj.vm2.lib.")));
        return fromLibrary ? new LuaError(LuaValue.valueOf(ERROR)) : new LuaError(ERROR);
    }

    private void check() {
        if (sealed) throw ReadOnlyTable.modified();
    }

    @Override public void set(int key, LuaValue value) { check(); super.set(key, value); }
    @Override public void set(LuaValue key, LuaValue value) { check(); super.set(key, value); }
    @Override public void rawset(int key, LuaValue value) { check(); super.rawset(key, value); }
    @Override public void rawset(LuaValue key, LuaValue value) { check(); super.rawset(key, value); }
    @Override public void hashset(LuaValue key, LuaValue value) { check(); super.hashset(key, value); }
    @Override public void insert(int pos, LuaValue value) { check(); super.insert(pos, value); }
    @Override public LuaValue remove(int pos) { check(); return super.remove(pos); }
    @Override public void sort(LuaValue comparator) { check(); super.sort(comparator); }
    @Override public LuaValue setmetatable(LuaValue metatable) { check(); return super.setmetatable(metatable); }
}
