/**
 * The suite that names what it proves: tests against hostile peers and careless applications,
 * one class per threat, and this index from every row of {@code RELIABILITY.md}'s security table
 * and every item of issue 18 to the tests that prove it (those outside this package were there
 * before it and stay next to the code they test). Hostile-server cases end in exactly one
 * completion with the code the abuse deserves and leave no connection, session thread or open
 * file behind: {@link dev.urlsession.hostile.LeakCheck} checks it after each test of this
 * package. {@code SECURITY.md} at the repository root lists the defaults with the same tests.
 *
 * <h2>RELIABILITY.md, security rows</h2>
 * <ol>
 *   <li>Credentials on a cross-origin redirect: {@code RedirectCredentialsTests}
 *       (session-level {@code Authorization}/{@code Cookie}), {@code DataTaskHttpTests
 *       .redirectWhenItGoesToAnotherOriginDropsAuthorizationAndCookie},
 *       {@code AuthenticationTests.credentialsNeverFollowARedirectToAnotherOrigin},
 *       {@code RedirectPolicyTests.decidedWhenTheHopLeavesTheOriginSaysSo}.
 *   <li>HTTPS to HTTP downgrade: {@code RedirectCredentialsTests
 *       .anHttpsRedirectToCleartextFailsWithoutSendingAnythingToTheCleartextHost},
 *       {@code TransportSecurityPolicyTests.allowsRedirect*},
 *       {@code ErrorCodeTests.redirectToCleartextNonLocalHostIsRefusedByTransportSecurity}.
 *   <li>CR/LF and header injection: {@code HeadersTests.valueWhenItHoldsLineBreakOrNulIsRejected},
 *       {@code HeadersTests.nameWhenNotATokenIsRejected}, {@code RequestTests.methodWhenNotATokenIsRejected},
 *       {@code ErrorCodeTests.headerInjectionWhenTheRequestIsBuiltIsRejectedAndReservedHeadersIgnored},
 *       {@code FtpTests.ftpPathWithCrLfOrNulFailsWithBadUrlBeforeAnyCommandIsSent}.
 *   <li>Request and response smuggling: {@code ReservedHeadersTests}, {@code ResponseFramingTests}
 *       (Content-Length with chunked: read chunked, connection never reused).
 *   <li>Decompression bombs: {@code DecompressionBombTests} (gzip and Brotli, 10 GiB, child JVM).
 *   <li>Server-supplied file names: {@code ResponseTests.suggestedFilenameWhen*Traversal*},
 *       {@code internal.FileNamesTests}, fuzzed by {@code ParsersFuzzTests.suggestedFilename} and
 *       {@code internal.InternalParsersFuzzTests.contentDisposition}.
 *   <li>Unbounded buffering: {@code InMemoryBodyLimitTests}, {@code BoundedMemoryTests},
 *       {@code CacheHeapTests}, {@code HostileServerTests} (a 20 KB header line),
 *       {@link dev.urlsession.hostile.Http2AbuseTests} (a 1 MiB header block, PING and SETTINGS
 *       floods).
 *   <li>TLS verification: {@code ErrorCodeTests.untrustedServerCertificateFailsWithServerCertificateUntrusted},
 *       {@code ErrorCodeTests.hostnameMismatchFailsWithServerCertificateUntrusted},
 *       {@code ServerTrustTests}, {@code TransportSecurityTlsTests}.
 *   <li>Proxy credentials: {@code ProxyTests.httpsRequestTunnelsThroughConnectAndTheProxySeesOnlyTheAuthority}
 *       and {@code ProxyTests.proxyChallengeReachesTheDelegateWithAProxyProtectionSpace} (the origin never
 *       sees {@code Proxy-Authorization}), {@code ProxyTests.hostNamesLongerThanSocksCanCarryAreRefused};
 *       a hostile proxy's answers to stream tasks are fuzzed by
 *       {@code internal.InternalParsersFuzzTests.proxyAnswers}.
 *   <li>HTTP/2 abuse: {@link dev.urlsession.hostile.Http2AbuseTests} (GOAWAY, RST_STREAM, SETTINGS
 *       and PING floods, huge and endless header blocks).
 *   <li>Cookie domains: {@code CookieTests.setCookieWhenDomainIsAPublicSuffixIsRefused},
 *       {@code CookieTests.setCookieWhenDomainIsAnIpAddressOfAnotherHostIsRefused},
 *       {@code CookieTests.setCookieWhenItHoldsAControlCharacterIsRefused}, fuzzed by
 *       {@code ParsersFuzzTests.setCookie} and {@code ParsersFuzzTests.cookieFile}.
 *   <li>Tampered resume data: {@code ResumeDataTests.tamperedResumeDataFailsTheTaskWithoutLoadingAnything},
 *       {@code ResumeDataTests.resumeDataOfAnotherStorageIsRefused},
 *       {@code ResumeDataTests.signedResumeDataPointingOutsideTheDownloadDirectoryIsRefused},
 *       {@code ResumeDataTests.garbageAndOversizedBlobsAreRejectedWhenRead}, fuzzed by
 *       {@code ParsersFuzzTests.resumeData}.
 *   <li>{@code file:} abuse: {@code FileUrlTests.fileUrlInAnHttpRedirectIsNotFollowedAndTheFileIsNeverRead},
 *       {@code FileUrlTests.fileUrlOfADeviceIsRefusedWithNoPermissionsToReadFile},
 *       {@code FileUrlTests.fileUrlWithAnotherHostFailsWithBadUrl},
 *       {@code DataUrlTests.dataUrlWhenLongerThanTheLimitFailsWithAMessageThatDoesNotHoldIt}.
 *   <li>FTP: {@link dev.urlsession.hostile.FtpRepliesTests} (PASV naming another host, malformed
 *       PASV and EPSV replies), {@code FtpTests.ftpToANonLocalHostIsRefusedByTheDefaultTransportSecurityPolicy},
 *       fuzzed by {@code internal.InternalParsersFuzzTests.ftpReplies}.
 * </ol>
 *
 * <h2>Issue 18</h2>
 * <ol>
 *   <li>Decompression bombs and in-memory bodies: {@code DecompressionBombTests},
 *       {@code InMemoryBodyLimitTests}.
 *   <li>The memory cache bounds the heap: {@code CacheHeapTests}.
 *   <li>Session credentials cross origins: {@code RedirectCredentialsTests}.
 *   <li>Non-ASCII URLs: {@code NonAsciiUrlTests}.
 *   <li>No server input yields {@code UNKNOWN}: {@code HostileServerTests} (17 malformed
 *       responses), {@code internal.ErrorMapperTests}, {@link dev.urlsession.hostile.FtpRepliesTests
 *       #epsvReplyWithoutItsPortFailsOnceWithBadServerResponseNotUnknown}.
 *   <li>Storage permissions and hard links: {@code StoragePermissionsTests},
 *       {@code internal.PrivateFilesTests}, {@code ResumeDataTests
 *       .resumeDataWhosePartialFileWasReplacedByAHardLinkIsRefusedAndTheOtherFileLeftUntouched}.
 *   <li>Sessions never invalidated: {@link dev.urlsession.hostile.LeakedSessionTests}.
 *   <li>Tasks created during {@code invalidateAndCancel}: {@link dev.urlsession.hostile.InvalidationRaceTests}.
 *   <li>Smaller holes: URLs capped in messages ({@code SessionExceptionTests
 *       .messageWhenUrlIsLongShowsItsStartAndItsLengthOnly}, {@code DataUrlTests
 *       .dataUrlWhenLongerThanTheLimitFailsWithAMessageThatDoesNotHoldIt}), CL+TE
 *       ({@code ResponseFramingTests}), bidi controls ({@code internal.FileNamesTests
 *       .suggestedFilenameWhenNameHasBidiControlsStripsThem}), https to http redirects (row 2).
 *   <li>The FTP connection limit: {@code FtpTests.ftpLoadsWhenMoreThanTheConnectionLimitWaitForAConnectionAndAllComplete}.
 * </ol>
 * The suite itself: this package; fuzzing: {@code ParsersFuzzTests} and
 * {@code internal.InternalParsersFuzzTests} (Jazzer); the soak run:
 * {@link dev.urlsession.hostile.SoakTests} (not in the default build), whose first run found the
 * connections kept by tasks cancelled while starting ({@link dev.urlsession.hostile.CancelRaceTests}).
 */
package dev.urlsession.hostile;
