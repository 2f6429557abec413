//! Syntax check of the `http(s)://host[:port][/path]` URLs the config holds (node addresses,
//! webhook and shadow targets, the OTLP endpoint). Deliberately strict: no user info, query
//! or fragment, since none of these URLs may carry them.

/// Checks `url`; on failure returns the reason.
pub(super) fn check_http_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("must be an http:// or https:// URL, got `{url}`"))?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("must not contain whitespace, got `{url}`"));
    }
    if url.contains(['?', '#', '@']) {
        return Err(format!(
            "must not contain user info, a query or a fragment, got `{url}`"
        ));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = split_host_port(authority)
        .ok_or_else(|| format!("has a malformed host or port, got `{url}`"))?;
    if host.is_empty() {
        return Err(format!("has no host, got `{url}`"));
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(number) if number > 0 => {}
            _ => return Err(format!("has an invalid port `{port}`, got `{url}`")),
        }
    }
    Ok(())
}

/// Checks a `host:port` socket address (port required, 0 allowed for "any free port");
/// on failure returns the reason.
pub(super) fn check_host_port(value: &str) -> Result<(), String> {
    let (host, port) =
        split_host_port(value).ok_or_else(|| format!("must be `host:port`, got `{value}`"))?;
    if host.is_empty() {
        return Err(format!("has no host, got `{value}`"));
    }
    let port = port.ok_or_else(|| format!("must name a port (`host:port`), got `{value}`"))?;
    port.parse::<u16>()
        .map(drop)
        .map_err(|_| format!("has an invalid port `{port}`, got `{value}`"))
}

/// Whether the host of a `host:port` address is a wildcard (`0.0.0.0`, `::`) nobody can dial.
pub(super) fn is_wildcard_host(value: &str) -> bool {
    matches!(
        split_host_port(value),
        Some(("0.0.0.0" | "::" | "0:0:0:0:0:0:0:0", _))
    )
}

/// Splits `host[:port]` or `[v6]:port`; `None` when the brackets or host characters are
/// malformed.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        if !host
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
    host_ok.then_some((host, port))
}

#[cfg(test)]
mod tests {
    use super::check_http_url;

    #[test]
    fn accepts_plain_node_addresses() {
        for url in [
            "http://meili-0:7700",
            "https://meili.example.com",
            "http://10.0.0.3:7700/",
            "http://[::1]:7700",
            "http://miroir-meili-0.miroir-meili-headless.search.svc.cluster.local:7700",
        ] {
            assert_eq!(check_http_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn rejects_malformed_urls() {
        for url in [
            "meili-0:7700",
            "ftp://meili-0",
            "http://",
            "http://:7700",
            "http://meili 0:7700",
            "http://meili-0:port",
            "http://meili-0:0",
            "http://meili-0:70000",
            "http://user:pw@meili-0",
            "http://meili-0/?q=1",
            "http://[::1",
        ] {
            assert!(check_http_url(url).is_err(), "{url} accepted");
        }
    }
}
