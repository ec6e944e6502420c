package dev.urlsession;

import java.util.List;

/**
 * The live tasks of a session by kind, as {@link Session#tasks()} returns them. Upload tasks are
 * only in {@code upload}.
 *
 * @since 0.1.0
 */
public record TaskLists(List<DataTask> data, List<UploadTask> upload, List<DownloadTask> download) {
  public TaskLists {
    data = List.copyOf(data);
    upload = List.copyOf(upload);
    download = List.copyOf(download);
  }
}
