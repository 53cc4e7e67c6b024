package dev.motflow.testsupport;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/** Decides, call by call, whether the SageMaker stub answers with a fault. Thread-safe. */
public abstract class FaultPlan {
    /** The fault for the next call, or null to answer normally. */
    abstract Fault next(String operation);

    public static FaultPlan none() {
        return new FaultPlan() {
            @Override
            Fault next(String operation) {
                return null;
            }
        };
    }

    /** Each call fails with probability {@code rate}, with one of {@code faults} (seeded, so runs repeat). */
    public static FaultPlan random(double rate, long seed, Fault... faults) {
        if (faults.length == 0) {
            throw new IllegalArgumentException("no faults given");
        }
        List<Fault> choices = List.of(faults);
        Random random = new Random(seed);
        return new FaultPlan() {
            @Override
            synchronized Fault next(String operation) {
                return random.nextDouble() < rate ? choices.get(random.nextInt(choices.size())) : null;
            }
        };
    }

    public static FaultPlan always(Fault fault) {
        return new FaultPlan() {
            @Override
            Fault next(String operation) {
                return fault;
            }
        };
    }

    /** The first {@code n} calls fail with {@code fault}, the rest succeed. */
    public static FaultPlan firstN(int n, Fault fault) {
        AtomicInteger left = new AtomicInteger(n);
        return new FaultPlan() {
            @Override
            Fault next(String operation) {
                return left.getAndDecrement() > 0 ? fault : null;
            }
        };
    }
}
