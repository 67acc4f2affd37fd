package org.rupture.pipeline.curated;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Counts the running tasks of every job started since it was added as a listener, from the events Spark
 * posts, so that a caller can wait until a job's last task has ended (the ingest's writer, when a pass
 * failed) or until no job runs at all (a failed run, before it removes its folder). A job's future says
 * when the job failed, not when its tasks ended: Spark kills the other running tasks of a failed job after
 * it reports the failure, and a killed writer task still closes (writes) its open files as it ends.
 *
 * <p>The events of one job reach a listener in order: the job's start before its tasks', the start of
 * every task it launched before the job's end (Spark launches none once the job has failed), and a task's
 * end, killed or not, when it has ended. So once the job's end has come and its count of running tasks is
 * zero, none runs.
 */
public final class RunningTasks extends SparkListener {
  /**
   * How long a failure waits for the failed jobs' killed tasks to end before it goes on anyway (the ingest's
   * writer before it throws, a failed run before it removes its folder): killed tasks end within seconds.
   */
  public static final long KILLED_TASKS_TIMEOUT_MILLIS = 120_000;
  /** How often {@link #awaitIdle} looks whether the context was stopped while it waits. */
  private static final long STOPPED_CHECK_MILLIS = 500;

  private final Map<Integer, Integer> jobOfStage = new HashMap<>();
  private final Map<Integer, Integer> running = new HashMap<>();
  private final Set<Integer> started = new HashSet<>();
  private final Set<Integer> ended = new HashSet<>();
  private final Set<SparkListenerEvent> marks = new HashSet<>();

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    started.add(start.jobId());
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

  @Override
  public synchronized void onOtherEvent(SparkListenerEvent event) {
    if (event instanceof Mark) {
      marks.add(event);
      notifyAll();
    }
  }

  /**
   * Waits until every one of {@code jobs} has ended and none of their tasks runs.
   *
   * @return false if that was not so within {@code timeoutMillis}
   */
  public synchronized boolean awaitEnded(Collection<Integer> jobs, long timeoutMillis) throws InterruptedException {
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

  /**
   * Waits until every job started before this call (since this listener was added) has ended and none of
   * their tasks runs. Spark delivers events to listeners some time after it posts them, so this first
   * posts a mark of its own and waits for it: every event posted before it has then come. A stopped
   * context runs no task (and delivers no event): then there is nothing to wait for.
   *
   * @return false if that was not so within {@code timeoutMillis}
   */
  public boolean awaitIdle(SparkContext spark, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    Mark mark = new Mark();
    spark.listenerBus().post(mark);
    synchronized (this) {
      List<Integer> jobs = null;
      while (jobs == null || !allEnded(jobs)) {
        if (jobs == null && marks.remove(mark)) {
          jobs = new ArrayList<>(started); // every job started before the mark
          continue;
        }
        long left = deadline - System.currentTimeMillis();
        if (spark.isStopped()) {
          return true;
        }
        if (left <= 0) {
          return false;
        }
        wait(Math.min(left, STOPPED_CHECK_MILLIS));
      }
      return true;
    }
  }

  private boolean allEnded(Collection<Integer> jobs) {
    return jobs.stream().allMatch(j -> ended.contains(j) && running.getOrDefault(j, 0) <= 0);
  }

  /** A listener event of this class's own, posted to learn when the events before it have come. */
  private static final class Mark implements SparkListenerEvent {
    @Override
    public boolean logEvent() {
      return false; // not written to Spark's event log
    }
  }
}
