package dev.urlsession;

/** An upload task: a data task whose body was given at creation. */
final class RealUploadTask extends RealDataTask implements UploadTask {
  RealUploadTask(TaskSpec spec) {
    super(spec);
  }
}
