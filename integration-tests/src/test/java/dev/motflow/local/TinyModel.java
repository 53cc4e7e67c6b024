package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the crash tests track with: a freshly initialised tiny network (resnet18 at 160x96, detection
 * threshold 0 so that it reports boxes) written as a model folder (model.pth + config.json), and
 * short synthetic videos (a box moving over a grey background). Seconds to make, fractions of a
 * second per frame to run; tracking quality is not what those tests look at.
 */
final class TinyModel {
    private TinyModel() {
    }

    /** Writes the model to {@code modelDir} and each video of {@code framesByVideo} (path -> frames). */
    static void make(Path root, Path modelDir, Map<Path, Integer> framesByVideo) throws Exception {
        Path python = root.resolve("containers/.venv/bin/python");
        assertTrue(python.toFile().canExecute(), "containers/.venv is missing: run ./motflow setup");
        String script = String.join("\n",
                "import json, sys, torch, cv2, numpy as np",
                "from motflow_ml.config import defaults",
                "from motflow_ml.model import build_model",
                "out = sys.argv[1]",
                "cfg = {k: v for k, v in defaults().items() if isinstance(v, (int, float, str, bool, list))}",
                "cfg.update(backbone='resnet18', input_width=160, input_height=96, reid_dim=32, neck_channels=32,",
                "           head_conv=32, conf_thres=0.0, top_k=8)",
                "import os; os.makedirs(out, exist_ok=True)",
                "torch.manual_seed(0)",
                "torch.save(build_model(cfg).state_dict(), out + '/model.pth')",
                "open(out + '/config.json', 'w').write(json.dumps(cfg))",
                "for path, n in zip(sys.argv[2::2], sys.argv[3::2]):",
                "    w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 10, (128, 96))",
                "    for i in range(int(n)):",
                "        f = np.full((96, 128, 3), 90, np.uint8)",
                "        cv2.rectangle(f, (10 + (8 * i) % 80, 20), (40 + (8 * i) % 80, 80), (20, 200, 20), -1)",
                "        w.write(f)",
                "    w.release()");
        List<String> cmd = new ArrayList<>(List.of(python.toString(), "-c", script, modelDir.toString()));
        framesByVideo.forEach((video, frames) -> {
            cmd.add(video.toString());
            cmd.add(Integer.toString(frames));
        });
        Process p = new ProcessBuilder(cmd).directory(root.resolve("containers").toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }
}
