package org.rupture.pipeline.curated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/** Waiting for a failed job's other tasks, which Spark ends only after it has reported the failure. */
class RunningTasksTest extends SparkTestBase {
  // the tasks run in this JVM (local master), so they and the test share these
  private static final CountDownLatch SLOW_TASK_STARTED = new CountDownLatch(1);
  private static final AtomicLong SLOW_TASK_ENDED_AT = new AtomicLong();

  @Test
  void waitsForTheKilledTasksOfAFailedJob() throws Exception {
    RunningTasks tasks = new RunningTasks();
    spark().sparkContext().addSparkListener(tasks);
    try {
      JavaFutureAction<Void> job = JavaSparkContext.fromSparkContext(spark().sparkContext())
          .parallelize(List.of(0, 1), 2).foreachAsync(i -> {
            if (i == 0) {
              // fails once the other task runs: that one is then still running when the job fails
              SLOW_TASK_STARTED.await(30, TimeUnit.SECONDS);
              throw new IllegalStateException("task 0 fails");
            }
            SLOW_TASK_STARTED.countDown();
            Thread.sleep(1_000);
            SLOW_TASK_ENDED_AT.set(System.currentTimeMillis());
          });
      ExecutionException failed = assertThrows(ExecutionException.class, job::get);
      assertTrue(failed.getCause().getMessage().contains("task 0 fails"), failed.getCause().getMessage());
      long failedAt = System.currentTimeMillis();
      assertEquals(0, SLOW_TASK_ENDED_AT.get(), "the other task still runs when the job has failed");

      assertTrue(tasks.awaitIdle(spark().sparkContext(), 60_000), "no task runs any more");
      long idleAt = System.currentTimeMillis();
      assertTrue(SLOW_TASK_ENDED_AT.get() > failedAt && SLOW_TASK_ENDED_AT.get() <= idleAt,
          "the other task ended after the failure and before the wait returned");
      assertTrue(tasks.awaitEnded(job.jobIds(), 1_000), "the job's own wait agrees");
    } finally {
      spark().sparkContext().removeSparkListener(tasks);
    }
  }

  @Test
  void isIdleAtOnceWhenNothingRuns() throws Exception {
    RunningTasks tasks = new RunningTasks();
    spark().sparkContext().addSparkListener(tasks);
    try {
      assertEquals(3, spark().range(3).count());
      assertTrue(tasks.awaitIdle(spark().sparkContext(), 10_000));
    } finally {
      spark().sparkContext().removeSparkListener(tasks);
    }
  }
}
