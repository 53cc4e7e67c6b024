package dev.motflow.local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small CPU settings merged over the workflow's training hyperparameters (containers/README.md):
 * a 160x96 input, narrow heads, a higher learning rate, a heavier box-size loss and a low detection threshold, so that a
 * couple of minutes of CPU training give a model that finds the (large, clean) synthetic figures
 * at all.
 */
public final class CpuTraining {
    /** The settings that define the network; a warm start takes them from the model it starts from. */
    public static final List<String> ARCHITECTURE_KEYS = List.of("backbone", "head_conv", "neck_channels",
            "reid_dim");

    private CpuTraining() {
    }

    public static Map<String, String> overrides(int maxTrainSeconds) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backbone", "resnet18");
        m.put("input_width", "160");
        m.put("input_height", "96");
        m.put("head_conv", "64");
        m.put("neck_channels", "32");
        m.put("batch_size", "8");
        m.put("lr", "0.002");
        m.put("id_loss_weight", "0.2");
        // Box sizes are what the toy model learns last (its boxes overlapped their figures by IoU 0.2-0.4
        // at FairMOT's 0.1): a larger weight on the size loss makes the boxes match within the demo's epochs.
        m.put("wh_weight", "0.5");
        m.put("scale_jitter", "0");
        // Measured on the demo's model over thresholds 0.2-0.4 (validation sequence and the tracked video):
        // 0.2 keeps too many false positives (the video's MOTA < 0), 0.35 and up lose true figures.
        m.put("conf_thres", "0.3");
        m.put("num_workers", "0");
        // A fixed amount of work (4 x 60 steps on the demo's data) gives the same model on a quiet or a
        // busy machine; max_train_seconds only caps the time when the machine is very slow.
        m.put("epochs", "4");
        m.put("val_frame_stride", "5");
        m.put("max_train_seconds", Integer.toString(maxTrainSeconds));
        m.put("export", "none");
        m.put("eval_tracking", "false");
        return m;
    }
}
