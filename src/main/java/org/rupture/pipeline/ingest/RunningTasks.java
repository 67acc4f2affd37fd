package org.rupture.pipeline.ingest;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Counts the running tasks of every job from the events Spark posts, so that a caller can wait until a
 * job's last task has ended. A job's future says when the job failed, not when its tasks ended: Spark
 * kills the other running tasks of a failed job after it reports the failure, and a killed task of a
 * writer still closes (writes) its open files as it ends.
 *
 * <p>The events of one job arrive in order: the job's start before its tasks', the start of every task it
 * launched before the job's end (Spark launches none once the job has failed), and a task's end, killed or
 * not, when it has ended. So once the job's end has come and its count of running tasks is zero, none runs.
 */
final class RunningTasks extends SparkListener {
  private final Map<Integer, Integer> jobOfStage = new HashMap<>();
  private final Map<Integer, Integer> running = new HashMap<>();
  private final Set<Integer> ended = new HashSet<>();

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    for (Object stage : CollectionConverters.asJava(start.stageIds())) {
      jobOfStage.put((Integer) stage, start.jobId());
    }
  }

  @Override
  public synchronized void onTaskStart(SparkListenerTaskStart start) {
    Integer job = jobOfStage.get(start.stageId());
    if (job != null) {
      running.merge(job, 1, Integer::sum);
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    Integer job = jobOfStage.get(end.stageId());
    if (job != null) {
      running.merge(job, -1, Integer::sum);
      notifyAll();
    }
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    ended.add(end.jobId());
    notifyAll();
  }

  /**
   * Waits until every one of {@code jobs} has ended and none of their tasks runs.
   *
   * @return false if that was not so within {@code timeoutMillis}
   */
  synchronized boolean awaitEnded(Collection<Integer> jobs, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!allEnded(jobs)) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  private boolean allEnded(Collection<Integer> jobs) {
    return jobs.stream().allMatch(j -> ended.contains(j) && running.getOrDefault(j, 0) <= 0);
  }
}
