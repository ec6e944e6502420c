package dev.urlsession.autoconfigure.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The Observation of a session task: {@code http.client.requests}, with Spring's HTTP client key
 * names plus the session's.
 *
 * @since 0.1.0
 */
public enum UrlSessionObservationDocumentation implements ObservationDocumentation {
  /** One task of a named session, from its first {@code resume()} to its completion. */
  HTTP_CLIENT_REQUESTS {
    @Override
    public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
      return DefaultUrlSessionObservationConvention.class;
    }

    @Override
    public KeyName[] getLowCardinalityKeyNames() {
      return LowCardinalityKeyNames.values();
    }

    @Override
    public KeyName[] getHighCardinalityKeyNames() {
      return HighCardinalityKeyNames.values();
    }
  };

  /** Key values with a bounded number of values: they become meter tags. */
  public enum LowCardinalityKeyNames implements KeyName {
    /** The request method, such as {@code GET}. */
    METHOD {
      @Override
      public String asString() {
        return "method";
      }
    },
    /** The URI template of the request, or {@code none}; never the request's path. */
    URI {
      @Override
      public String asString() {
        return "uri";
      }
    },
    /** The final status code, or {@code CLIENT_ERROR} when the task has no response. */
    STATUS {
      @Override
      public String asString() {
        return "status";
      }
    },
    /** {@code SUCCESS}, {@code REDIRECTION}, {@code CLIENT_ERROR}, {@code SERVER_ERROR}, {@code INFORMATIONAL} or {@code UNKNOWN}. */
    OUTCOME {
      @Override
      public String asString() {
        return "outcome";
      }
    },
    /** The simple class name of the failure's cause (the {@code SessionException} without one), or {@code none}. */
    EXCEPTION {
      @Override
      public String asString() {
        return "exception";
      }
    },
    /** The session's name. */
    CLIENT_NAME {
      @Override
      public String asString() {
        return "client.name";
      }
    },
    /** The task's kind: {@code data}, {@code upload}, {@code download} or {@code websocket}. */
    TASK_KIND {
      @Override
      public String asString() {
        return "urlsession.task.kind";
      }
    }
  }

  /** Key values with unbounded values: trace attributes only, never meter tags. */
  public enum HighCardinalityKeyNames implements KeyName {
    /** The request's URL without user information and with secret query values masked. */
    HTTP_URL {
      @Override
      public String asString() {
        return "http.url";
      }
    },
    /** The failure's {@code SessionException} code, when the task failed. */
    ERROR_CODE {
      @Override
      public String asString() {
        return "urlsession.error.code";
      }
    }
  }
}
