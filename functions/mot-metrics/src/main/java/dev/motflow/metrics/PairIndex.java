package dev.motflow.metrics;

import java.util.Arrays;

/**
 * Numbers (ground-truth id, hypothesis id) pairs densely 0, 1, 2, ... in order of first sight: an
 * open-addressing hash of primitive longs, so per-pair tallies live in flat arrays without boxing
 * and without a gt-ids x hyp-ids matrix (a tracker may emit many thousands of ids).
 */
final class PairIndex {
    private long[] table;      // key + 1, 0 = empty
    private int[] slotOf;
    private long[] keys;       // by dense index
    private int size;

    PairIndex(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        table = new long[cap];
        slotOf = new int[cap];
        keys = new long[Math.max(16, expected)];
    }

    static long key(int gt, int hyp) {
        return ((long) gt << 32) | (hyp & 0xffffffffL);
    }

    static int gtOf(long key) {
        return (int) (key >>> 32);
    }

    static int hypOf(long key) {
        return (int) key;
    }

    int size() {
        return size;
    }

    long keyAt(int index) {
        return keys[index];
    }

    /** Dense index of the pair, or -1. */
    int indexOf(int gt, int hyp) {
        long stored = key(gt, hyp) + 1;
        int mask = table.length - 1;
        for (int p = mix(stored) & mask; ; p = (p + 1) & mask) {
            long t = table[p];
            if (t == stored) {
                return slotOf[p];
            }
            if (t == 0) {
                return -1;
            }
        }
    }

    /** Dense index of the pair, adding it when new. */
    int add(int gt, int hyp) {
        long stored = key(gt, hyp) + 1;
        int mask = table.length - 1;
        int p = mix(stored) & mask;
        while (true) {
            long t = table[p];
            if (t == stored) {
                return slotOf[p];
            }
            if (t == 0) {
                break;
            }
            p = (p + 1) & mask;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
        }
        keys[size] = stored - 1;
        table[p] = stored;
        slotOf[p] = size;
        size++;
        if (size * 2 > table.length) {
            grow();
        }
        return size - 1;
    }

    private void grow() {
        long[] oldTable = table;
        int[] oldSlot = slotOf;
        table = new long[oldTable.length * 2];
        slotOf = new int[table.length];
        int mask = table.length - 1;
        for (int i = 0; i < oldTable.length; i++) {
            long t = oldTable[i];
            if (t != 0) {
                int p = mix(t) & mask;
                while (table[p] != 0) {
                    p = (p + 1) & mask;
                }
                table[p] = t;
                slotOf[p] = oldSlot[i];
            }
        }
    }

    private static int mix(long k) {
        long z = (k ^ (k >>> 30)) * 0xBF58476D1CE4E5B9L; // splitmix64 finaliser
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31));
    }
}
