package dev.motflow.mot;

/**
 * Exact fast path for the short decimals of MOTChallenge files ({@code 912.5}, {@code -1},
 * {@code 0.63449943}). With at most 15 significant digits the digits form an exact double m < 2^53,
 * and for |exponent| &lt;= 22 the power of ten is exact too, so one IEEE multiplication or division
 * gives the correctly rounded value, bit for bit what {@link Double#parseDouble} returns (Clinger's
 * fast path). Anything else answers NaN and the caller falls back to the JDK parser.
 */
final class FastDecimal {
    private static final double[] POW10 = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private FastDecimal() {
    }

    /** The value of {@code s[from, to)}, or NaN when outside the fast path (or not a plain decimal). */
    static double parse(CharSequence s, int from, int to) {
        int i = from;
        if (i == to) {
            return Double.NaN;
        }
        boolean negative = false;
        char c = s.charAt(i);
        if (c == '-' || c == '+') {
            negative = c == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean inFraction = false;
        for (; i < to; i++) {
            c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                if (inFraction) {
                    fractionDigits++;
                }
                if (mantissa != 0 || c != '0') {
                    if (++significant > 15) {
                        return Double.NaN;
                    }
                    mantissa = mantissa * 10 + (c - '0');
                }
            } else if (c == '.' && !inFraction) {
                inFraction = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        int exponent = 0;
        if (i < to) {
            c = s.charAt(i);
            if (c != 'e' && c != 'E') {
                return Double.NaN;
            }
            i++;
            boolean negativeExponent = false;
            if (i < to && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                negativeExponent = s.charAt(i) == '-';
                i++;
            }
            if (i == to) {
                return Double.NaN;
            }
            for (; i < to; i++) {
                c = s.charAt(i);
                if (c < '0' || c > '9' || exponent > 1000) {
                    return Double.NaN;
                }
                exponent = exponent * 10 + (c - '0');
            }
            if (negativeExponent) {
                exponent = -exponent;
            }
        }
        double value;
        int e10 = exponent - fractionDigits;
        if (mantissa == 0) {
            value = 0;
        } else if (e10 == 0) {
            value = mantissa;
        } else if (e10 > 0 && e10 < POW10.length) {
            value = mantissa * POW10[e10];
        } else if (e10 < 0 && -e10 < POW10.length) {
            value = mantissa / POW10[-e10];
        } else {
            return Double.NaN;
        }
        return negative ? -value : value;
    }
}
