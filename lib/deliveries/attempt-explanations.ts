/**
 * Explains an attempt's outcome in words for the deliveries inspector: a short
 * label for tables and timelines, what happened, and what the owner of the
 * receiver can do about it. Pure, so the API and the portal word every error
 * class alike. Receiver-controlled values (a redirect's Location) are quoted
 * as text and shortened; the caller renders them as text, never as markup.
 */
export interface AttemptExplanation {
  // A few words, for example "HTTP 500", "Timed out" or "Blocked".
  label: string;
  summary: string;
  // The next step for the receiver's owner; null when none is needed.
  action: string | null;
}

export interface AttemptOutcome {
  succeeded: boolean;
  statusCode: number | null;
  errorClass: string | null;
  // Response headers, lower-case names; only `location` and `retry-after` are read.
  responseHeaders?: Record<string, string> | null;
}

// Receivers choose their Location and Retry-After values, so an explanation quotes at most this much of one.
const QUOTED_VALUE_LIMIT = 200;

/**
 * The reason shown for a blocked destination, whatever the stored detail
 * contains. It names no address or network range, so the inspector cannot be used to
 * map which internal names resolve where.
 */
export const BLOCKED_DESTINATION_REASON =
  "WASViking did not contact this destination: the webhook URL, or an address its host name resolves to, is not allowed for webhooks (internal, private and reserved networks are blocked).";

function quote(value: string): string {
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  return flat.length > QUOTED_VALUE_LIMIT ? `"${flat.slice(0, QUOTED_VALUE_LIMIT)}…"` : `"${flat}"`;
}

const STATUS_EXPLANATIONS: Record<number, { summary: string; action: string }> = {
  400: {
    summary: "The receiver rejected the request as malformed (HTTP 400).",
    action: "Check the receiver's logs: it may fail to parse the JSON body or reject a header it does not expect.",
  },
  401: {
    summary: "The receiver rejected the request as unauthenticated (HTTP 401). Receivers often answer this when the signature does not verify.",
    action: "Check that the receiver verifies with the webhook's current signing secret, and any previous one during a rotation.",
  },
  403: {
    summary: "The receiver refused the request (HTTP 403). A signature check, an IP allow list or a web application firewall may have blocked it.",
    action: "Check the receiver's signature verification and any firewall or allow list in front of it.",
  },
  404: {
    summary: "The receiver has nothing at this URL (HTTP 404).",
    action: "Check the webhook URL's path, and that the receiver is deployed.",
  },
  405: {
    summary: "The receiver does not accept POST at this URL (HTTP 405).",
    action: "Point the webhook at the path that accepts POST requests.",
  },
  408: {
    summary: "The receiver gave up waiting for the request (HTTP 408).",
    action: "Check the receiver and any proxy in front of it for short request timeouts.",
  },
  413: {
    summary: "The body is larger than the receiver accepts (HTTP 413).",
    action: "Raise the receiver's request size limit. Retries send the same bytes, so the delivery goes through on its next retry or a replay.",
  },
  415: {
    summary: "The receiver does not accept the content type application/json (HTTP 415).",
    action: "Configure the receiver to accept JSON bodies.",
  },
  422: {
    summary: "The receiver understood the request but rejected its content (HTTP 422).",
    action: "Check the receiver's logs for the field it rejected; it should ignore fields it does not know.",
  },
  429: {
    summary: "The receiver is throttling requests (HTTP 429).",
    action: "WASViking waits at least as long as its Retry-After asks. Raise the receiver's rate limit if this keeps happening.",
  },
  500: {
    summary: "The receiver failed while handling the request (HTTP 500).",
    action: "Check the receiver's logs and the response body below for the error.",
  },
  502: {
    summary: "A proxy or load balancer in front of the receiver could not get an answer from it (HTTP 502).",
    action: "Check that the receiver behind the proxy is running and reachable.",
  },
  503: {
    summary: "The receiver is unavailable, for example during maintenance or overload (HTTP 503).",
    action: "WASViking retries on schedule. Check the receiver's health if this lasts.",
  },
  504: {
    summary: "A proxy or load balancer in front of the receiver timed out waiting for it (HTTP 504).",
    action: "Make the receiver answer faster, for example by queueing the work and answering 2xx at once.",
  },
};

function explainStatus(statusCode: number): AttemptExplanation {
  const label = `HTTP ${statusCode}`;
  const known = STATUS_EXPLANATIONS[statusCode];
  if (known) return { label, ...known };
  if (statusCode >= 500) {
    return { label, summary: `The receiver failed with a server error (HTTP ${statusCode}).`, action: "Check the receiver's logs and the response body below." };
  }
  if (statusCode >= 400) {
    return {
      label,
      summary: `The receiver rejected the request (HTTP ${statusCode}).`,
      action: "Check the receiver's logs and the response body below for the reason.",
    };
  }
  return {
    label,
    summary: `The receiver answered HTTP ${statusCode}, which is not a success: only 2xx answers end a delivery.`,
    action: "Make the receiver answer 2xx once it has accepted the event.",
  };
}

function explainRedirect(statusCode: number | null, location: string | undefined): AttemptExplanation {
  const target = location ? ` to ${quote(location)}` : " without a Location header";
  return {
    label: statusCode ? `Redirect (HTTP ${statusCode})` : "Redirect",
    summary: `The receiver answered with a redirect${target}. Redirects are never followed, so the event was not delivered.`,
    action: "Set the webhook URL to the final address that accepts the POST, often the same URL with https or a trailing slash.",
  };
}

function explainThrottled(statusCode: number | null, retryAfter: string | undefined): AttemptExplanation {
  const base = explainStatus(statusCode ?? 429);
  const hint = retryAfter ? ` It asked to wait with Retry-After ${quote(retryAfter)}.` : "";
  return { ...base, summary: `${base.summary}${hint}` };
}

/** Explains one attempt's outcome from its status code, error class and response headers. */
export function explainAttempt(outcome: AttemptOutcome): AttemptExplanation {
  const headers = outcome.responseHeaders ?? {};
  if (outcome.succeeded) {
    return {
      label: outcome.statusCode ? `HTTP ${outcome.statusCode}` : "Delivered",
      summary: "The receiver accepted the delivery.",
      action: null,
    };
  }
  switch (outcome.errorClass) {
    case "blocked_destination":
      return {
        label: "Blocked",
        summary: BLOCKED_DESTINATION_REASON,
        action: "Point the webhook at a public HTTPS endpoint. A blocked delivery is not retried.",
      };
    case "redirect":
      return explainRedirect(outcome.statusCode, headers["location"]);
    case "throttled":
      return explainThrottled(outcome.statusCode, headers["retry-after"]);
    case "gone":
      return {
        label: "Gone (HTTP 410)",
        summary:
          "The receiver answered HTTP 410 Gone, which says it no longer wants deliveries. WASViking retries on schedule, because a load balancer may answer 410 for a moment during a deploy. If every attempt of a delivery gets 410 until its 24-hour retry window ends, WASViking switches the webhook off.",
        action:
          "If the endpoint moved, change the webhook URL. If it was removed for good, disable or delete the webhook. Otherwise fix it, and if WASViking has switched the webhook off, enable it again so that its held deliveries go out in order.",
      };
    case "payload_too_large":
      return explainStatus(413);
    case "timeout":
      return {
        label: "Timed out",
        summary: "The receiver did not send a complete answer in time, so the attempt was abandoned.",
        action: "Answer 2xx as soon as the event is stored, and do slow work afterwards, for example from a queue.",
      };
    case "dns":
      return {
        label: "DNS failure",
        summary: "The webhook URL's host name could not be resolved to an address.",
        action: "Check the host name in the webhook URL and its DNS records.",
      };
    case "refused":
      return {
        label: "Connection refused",
        summary: "Nothing accepted the connection at the webhook URL's host and port.",
        action: "Check that the receiver is running and listens on the URL's port.",
      };
    case "reset":
      return {
        label: "Connection closed",
        summary: "The connection was closed before a complete answer arrived.",
        action: "Check the receiver and any proxy in front of it for crashes or connection limits.",
      };
    case "unreachable":
      return {
        label: "Unreachable",
        summary: "The network has no route to the receiver.",
        action: "Check that the receiver's address is reachable from the internet.",
      };
    case "tls":
      return {
        label: "TLS failure",
        summary: "The TLS handshake with the receiver failed, so nothing was sent. The certificate may be self-signed, expired or issued for another host name, or its chain may be incomplete.",
        action: "Fix the receiver's certificate: certificate checks cannot be switched off.",
      };
    case "no_signing_secret":
      return {
        label: "Not signed",
        summary: "No signing secret could be read, so nothing was sent: WASViking never sends an unsigned delivery.",
        action: "An operator must restore the encryption key that protects the webhook's secrets.",
      };
    case "connection":
      return {
        label: "Connection failed",
        summary: "The request failed at the network level.",
        action: "Check that the receiver is reachable; the detail names the error.",
      };
    case "http_status":
      if (outcome.statusCode === 429 || outcome.statusCode === 503) return explainThrottled(outcome.statusCode, headers["retry-after"]);
      if (outcome.statusCode !== null) return explainStatus(outcome.statusCode);
      break;
  }
  if (outcome.statusCode !== null) return explainStatus(outcome.statusCode);
  return {
    label: outcome.errorClass ?? "Failed",
    summary: "The attempt failed.",
    action: "See the detail for the error.",
  };
}
