package dev.urlsession.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The two date grammars of HTTP: the HTTP-date of {@code Date}, {@code Expires} and
 * {@code Last-Modified} (RFC 9110 5.6.7), and the lenient cookie-date of {@code Set-Cookie}'s
 * {@code Expires} (RFC 6265 5.1.1).
 */
public final class HttpDates {
  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };

  private HttpDates() {}

  /**
   * RFC 6265 5.1.1 cookie-date: tokens split at delimiters, the first time, day of month, month
   * and year found are used, so RFC 1123 ({@code Wed, 01 Jan 2020 12:30:00 GMT}), RFC 850
   * ({@code Wednesday, 01-Jan-20 12:30:00 GMT}) and asctime ({@code Wed Jan  1 12:30:00 2020})
   * dates all parse. Null when the date is invalid.
   */
  public static @Nullable Instant cookieDate(String s) {
    int hour = -1;
    int minute = -1;
    int second = -1;
    int day = -1;
    int month = -1;
    int year = -1;
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && isDateDelimiter(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isDateDelimiter(s.charAt(i))) {
        i++;
      }
      if (start == i) {
        break;
      }
      String token = s.substring(start, i);
      if (hour < 0) {
        int[] hms = parseTime(token);
        if (hms != null) {
          hour = hms[0];
          minute = hms[1];
          second = hms[2];
          continue;
        }
      }
      if (day < 0) {
        int d = leadingNumber(token, 1, 2);
        if (d >= 0) {
          day = d;
          continue;
        }
      }
      if (month < 0 && token.length() >= 3) {
        String prefix = token.substring(0, 3).toLowerCase(Locale.ROOT);
        for (int m = 0; m < MONTHS.length; m++) {
          if (MONTHS[m].equals(prefix)) {
            month = m + 1;
            break;
          }
        }
        if (month > 0) {
          continue;
        }
      }
      if (year < 0) {
        int y = leadingNumber(token, 2, 4);
        if (y >= 0) {
          year = y;
        }
      }
    }
    if (hour < 0 || day < 0 || month < 0 || year < 0) {
      return null;
    }
    if (year >= 70 && year <= 99) {
      year += 1900;
    } else if (year >= 0 && year <= 69) {
      year += 2000;
    }
    if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static boolean isDateDelimiter(char c) {
    return c == 0x09 || c >= 0x20 && c <= 0x2f || c >= 0x3b && c <= 0x40
        || c >= 0x5b && c <= 0x60 || c >= 0x7b && c <= 0x7e;
  }

  /** {@code 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT ( non-digit *OCTET )}, or null. */
  private static int @Nullable [] parseTime(String token) {
    int[] result = new int[3];
    int i = 0;
    for (int part = 0; part < 3; part++) {
      int start = i;
      int v = 0;
      while (i < token.length() && i - start < 2 && isDigit(token.charAt(i))) {
        v = v * 10 + (token.charAt(i) - '0');
        i++;
      }
      if (i == start) {
        return null;
      }
      result[part] = v;
      if (part < 2) {
        if (i >= token.length() || token.charAt(i) != ':') {
          return null;
        }
        i++;
      }
    }
    return i < token.length() && isDigit(token.charAt(i)) ? null : result;
  }

  /** {@code min*maxDIGIT ( non-digit *OCTET )}: the number, or -1. */
  private static int leadingNumber(String token, int min, int max) {
    int i = 0;
    int v = 0;
    while (i < token.length() && isDigit(token.charAt(i))) {
      if (i == max) {
        return -1;
      }
      v = v * 10 + (token.charAt(i) - '0');
      i++;
    }
    return i < min ? -1 : v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * Parses an HTTP-date in any of the three forms of RFC 9110 5.6.7 (IMF-fixdate, RFC 850,
   * asctime), or {@code null} when it is not one. The day name is not checked; a two-digit year is
   * read as 1970-2069; {@code UTC}, {@code UT}, {@code Z} and numeric offsets are accepted as well
   * as {@code GMT}. Never throws.
   */
  public static @Nullable Instant httpDate(String value) {
    // A server sends the same Date (and Last-Modified) many times in a row: the last result is
    // kept, so a cache lookup of a busy URL does not parse it again.
    ParsedDate last = lastParsed;
    if (last != null && last.text.equals(value)) {
      return last.instant;
    }
    Instant parsed = httpDateUncached(value);
    lastParsed = new ParsedDate(value, parsed);
    return parsed;
  }

  private record ParsedDate(String text, @Nullable Instant instant) {}

  private static volatile @Nullable ParsedDate lastParsed;

  private static final Pattern BLANKS = Pattern.compile("[ \\t]+");

  private static @Nullable Instant httpDateUncached(String value) {
    try {
      String s = value.trim();
      int comma = s.indexOf(',');
      String[] parts;
      if (comma >= 0) {
        // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT"
        parts = BLANKS.split(s.substring(comma + 1).trim());
        if (parts.length == 3 && parts[0].indexOf('-') > 0) {
          String[] dmy = parts[0].split("-");
          if (dmy.length != 3) {
            return null;
          }
          parts = new String[] {dmy[0], dmy[1], dmy[2], parts[1], parts[2]};
        }
        if (parts.length != 5) {
          return null;
        }
        return instant(parts[0], parts[1], parts[2], parts[3], parts[4]);
      }
      // asctime "Sun Nov  6 08:49:37 1994"
      parts = BLANKS.split(s);
      if (parts.length != 5) {
        return null;
      }
      return instant(parts[2], parts[1], parts[4], parts[3], "GMT");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static @Nullable Instant instant(
      String day, String month, String year, String time, String zone) {
    int m = -1;
    for (int i = 0; i < MONTHS.length; i++) {
      if (MONTHS[i].equalsIgnoreCase(month)) {
        m = i + 1;
      }
    }
    String[] hms = time.split(":");
    if (m < 0 || hms.length != 3 || !digits(day, 1, 2) || !digits(year, 2, 4)) {
      return null;
    }
    for (String part : hms) {
      if (!digits(part, 2, 2)) {
        return null;
      }
    }
    int y = Integer.parseInt(year);
    if (year.length() == 2) {
      y += y >= 70 ? 1900 : 2000;
    } else if (year.length() == 3) {
      return null;
    }
    ZoneOffset offset;
    String z = zone.toUpperCase(Locale.ROOT);
    if (z.equals("GMT") || z.equals("UTC") || z.equals("UT") || z.equals("Z")) {
      offset = ZoneOffset.UTC;
    } else if ((z.startsWith("+") || z.startsWith("-")) && digits(z.substring(1), 4, 4)) {
      offset = ZoneOffset.of(z.substring(0, 3) + ":" + z.substring(3));
    } else {
      return null;
    }
    try {
      int seconds = Integer.parseInt(hms[2]);
      LocalDateTime dt =
          LocalDateTime.of(
              LocalDate.of(y, m, Integer.parseInt(day)),
              LocalTime.of(
                  Integer.parseInt(hms[0]), Integer.parseInt(hms[1]), Math.min(seconds, 59)));
      return dt.toInstant(offset);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static boolean digits(String s, int min, int max) {
    if (s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
