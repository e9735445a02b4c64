package io.basalt.data;

/**
 * Redis's glob matcher ({@code stringmatchlen}) over bytes: {@code * ? [abc] [^a-z] \x}, with the
 * same handling of odd patterns (unterminated brackets, reversed ranges) so KEYS, SCAN MATCH,
 * CONFIG GET and pub/sub patterns match exactly what Redis matches.
 */
public final class Glob {
    private Glob() {}

    public static boolean match(byte[] pattern, byte[] s, boolean nocase) {
        return match(pattern, 0, pattern.length, s, 0, s.length, nocase, new boolean[1], 0);
    }

    public static boolean match(byte[] pattern, byte[] s, int soff, int slen, boolean nocase) {
        return match(pattern, 0, pattern.length, s, soff, slen, nocase, new boolean[1], 0);
    }

    /**
     * @param skipLonger Redis's {@code skipLongerMatches}: set once the rest of the pattern after a
     *        star matched nowhere, so earlier stars stop trying longer matches (keeps "a*a*a*...b"
     *        linear instead of exponential; it never changes the result)
     */
    private static boolean match(byte[] p, int pi, int plen, byte[] s, int si, int slen, boolean nocase,
                                 boolean[] skipLonger, int nesting) {
        // Redis caps recursion to avoid stack exhaustion on patterns like "a*a*a*a*...b"
        if (nesting > 1000) return false;
        int pend = pi + plen;
        int send = si + slen;
        while (pi < pend && si < send) {
            switch (p[pi]) {
                case '*': {
                    while (pi + 1 < pend && p[pi + 1] == '*') pi++;
                    if (pi + 1 == pend) return true; // trailing star matches the rest
                    while (si < send) {
                        if (match(p, pi + 1, pend - pi - 1, s, si, send - si, nocase, skipLonger, nesting + 1)) return true;
                        if (skipLonger[0]) return false;
                        si++;
                    }
                    skipLonger[0] = true;
                    return false;
                }
                case '?':
                    si++;
                    break;
                case '[': {
                    pi++;
                    boolean not = pi < pend && p[pi] == '^';
                    if (not) pi++;
                    boolean matched = false;
                    while (true) {
                        if (pi < pend && p[pi] == '\\' && pi + 1 < pend) {
                            pi++;
                            if (p[pi] == s[si]) matched = true;
                        } else if (pi >= pend || p[pi] == ']') {
                            break;
                        } else if (pi + 2 < pend && p[pi + 1] == '-') {
                            // signed, like C's char on x86
                            int start = p[pi];
                            int end = p[pi + 2];
                            int c = s[si];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = lower(start);
                                end = lower(end);
                                c = lower(c);
                            }
                            pi += 2;
                            if (c >= start && c <= end) matched = true;
                        } else {
                            if (nocase) {
                                if (lower(p[pi] & 0xff) == lower(s[si] & 0xff)) matched = true;
                            } else if (p[pi] == s[si]) {
                                matched = true;
                            }
                        }
                        pi++;
                    }
                    if (pi >= pend) pi = pend - 1; // unterminated [: Redis treats the end as the close
                    if (not) matched = !matched;
                    if (!matched) return false;
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < pend) pi++;
                    // fall through: literal match
                default:
                    if (nocase) {
                        if (lower(p[pi] & 0xff) != lower(s[si] & 0xff)) return false;
                    } else if (p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                    break;
            }
            pi++;
            if (si == send) {
                while (pi < pend && p[pi] == '*') pi++;
                break;
            }
        }
        return pi == pend && si == send;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
