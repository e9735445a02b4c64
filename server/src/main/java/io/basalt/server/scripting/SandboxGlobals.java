package io.basalt.server.scripting;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * The scripts' global table: read-only once sealed (Redis 7.0.15: "Attempt to modify a readonly
 * table"), with a metatable that turns a read of a missing global into Redis's error. KEYS and
 * ARGV are set by the engine through {@link #force}.
 */
class SandboxGlobals extends Globals {
    private boolean sealed;

    void seal() { sealed = true; }

    /** Sets a global past the protection (KEYS, ARGV). */
    void force(String name, LuaValue value) {
        boolean was = sealed;
        sealed = false;
        try {
            super.rawset(LuaValue.valueOf(name), value);
        } finally {
            sealed = was;
        }
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
