package dev.motflow.tracking;

/** Association rules of a {@link Tracker}. The codes are part of the encoded state: never renumber. */
public enum Policy {
    /** JDE/FairMOT: appearance fused with motion, then IoU, then unconfirmed tracks. Needs embeddings. */
    JDE(0),
    /** ByteTrack: IoU with high-score detections, then low-score detections, then unconfirmed tracks. */
    BYTETRACK(1);

    private final int code;

    Policy(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Policy fromCode(int code) {
        for (Policy p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy code " + code);
    }
}
