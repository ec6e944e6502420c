package dev.urlsession;

/** A data task. */
class RealDataTask extends RealTask implements DataTask {
  RealDataTask(TaskSpec spec) {
    super(spec);
  }
}
