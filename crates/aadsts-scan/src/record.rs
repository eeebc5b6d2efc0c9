//! One sign-in, whatever export it came from, and how each export's fields map onto it.

use serde_json::Value;

/// RFC 3339 UTC with trailing zeros of the fraction dropped, so that the same instant
/// reads the same from every export (`08:10:00.000Z` and `08:10:00Z`).
pub fn time(t: &str) -> Option<String> {
    let n = aadsts_extract::normalize_time(t)?;
    Some(match n.split_once('.') {
        Some((head, frac)) => {
            let digits = frac.trim_end_matches('Z').trim_end_matches('0');
            if digits.is_empty() {
                format!("{head}Z")
            } else {
                format!("{head}.{digits}Z")
            }
        }
        None => n,
    })
}

/// The fields of a sign-in that the scan uses. Strings are empty when the export lacks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    /// RFC 3339 UTC, when the export carries a time.
    pub time: Option<String>,
    pub code: u32,
    pub user: String,
    pub app: String,
    pub ip: String,
    pub client_app: String,
    pub os: String,
    pub asn: String,
    /// Display names of Conditional Access policies whose result was `failure`.
    pub ca_failed: Vec<String>,
    /// `status.additionalDetails`, the portal's MFA result, and authentication step
    /// results joined: where "MFA denied; user declined the authentication" shows up.
    pub details: String,
    /// How many sign-ins this record stands for (text input: one record per distinct error).
    pub weight: u64,
}

fn s(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn code_of(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// JSON text inside a string (Log Analytics exports dynamic columns as JSON text).
fn json_in(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => serde_json::from_str(s).ok(),
        Value::Object(_) | Value::Array(_) => v.cloned(),
        _ => None,
    }
}

fn failed_policies(v: Option<Value>) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|p| p.get("result").and_then(Value::as_str) == Some("failure"))
        .filter_map(|p| {
            p.get("displayName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

/// A sign-in from a JSON record: a Graph or portal JSON sign-in (camelCase at the top), an
/// Azure Monitor record (envelope with `properties`), or a Log Analytics row as JSON
/// (PascalCase columns). `Err` says why the record is not a sign-in.
pub fn from_json(v: &Value) -> Result<SignIn, String> {
    let Value::Object(top) = v else {
        return Err("not a JSON object".into());
    };
    // Azure Monitor puts the sign-in under `properties`; Graph and the portal do not.
    let p = match top.get("properties") {
        Some(inner @ Value::Object(_)) => inner,
        _ => v,
    };
    let get = |k: &str| p.get(k).or_else(|| top.get(k));
    let status = json_in(get("status").or_else(|| top.get("Status")));
    let code = status
        .as_ref()
        .and_then(|st| code_of(st.get("errorCode")))
        .or_else(|| code_of(top.get("resultType")))
        .or_else(|| code_of(top.get("ResultType")))
        .ok_or_else(|| {
            "no error code (looked for status.errorCode, resultType, ResultType)".to_string()
        })?;
    let time = [
        "createdDateTime",
        "time",
        "TimeGenerated",
        "CreatedDateTime",
    ]
    .iter()
    .find_map(|k| get(k).and_then(Value::as_str))
    .and_then(time);
    let mut user = s(get("userPrincipalName").or_else(|| top.get("UserPrincipalName")));
    if user.is_empty() {
        user = s(top.get("identity").or_else(|| get("servicePrincipalName")));
    }
    if user.is_empty() {
        user = s(top.get("ServicePrincipalName"));
    }
    let mut app = s(get("appDisplayName").or_else(|| top.get("AppDisplayName")));
    if app.is_empty() {
        app = s(get("appId").or_else(|| top.get("AppId")));
    }
    let mut ip = s(get("ipAddress").or_else(|| top.get("IPAddress")));
    if ip.is_empty() {
        ip = s(top.get("callerIpAddress"));
    }
    let device = json_in(get("deviceDetail").or_else(|| top.get("DeviceDetail")));
    let os = s(device.as_ref().and_then(|d| d.get("operatingSystem")));
    let ca = json_in(
        get("appliedConditionalAccessPolicies")
            .or_else(|| top.get("ConditionalAccessPolicies"))
            .or_else(|| top.get("AppliedConditionalAccessPolicies")),
    );
    let mut details = String::new();
    if let Some(st) = &status {
        details.push_str(&s(st.get("additionalDetails")));
    }
    if let Some(Value::Array(steps)) = json_in(get("authenticationDetails")) {
        for step in steps {
            let r = s(step.get("authenticationStepResultDetail"));
            if !r.is_empty() {
                details.push_str("; ");
                details.push_str(&r);
            }
        }
    }
    Ok(SignIn {
        time,
        code,
        user: user.to_lowercase(),
        app,
        ip,
        client_app: s(get("clientAppUsed").or_else(|| top.get("ClientAppUsed"))),
        os,
        asn: s(get("autonomousSystemNumber").or_else(|| top.get("AutonomousSystemNumber"))),
        ca_failed: failed_policies(ca),
        details,
        weight: 1,
    })
}

/// Column positions of a sign-in CSV, found by name (portal download, Log Analytics
/// export, Excel re-save). Names are compared trimmed, lower-cased, with runs of spaces
/// collapsed: the portal writes `"Application ID "` and `"Autonomous system  number"`.
#[derive(Debug, Default, Clone)]
pub struct CsvColumns {
    time: Option<usize>,
    code: Option<usize>,
    status: Option<usize>,
    user: Option<usize>,
    sp_name: Option<usize>,
    app: Option<usize>,
    app_id: Option<usize>,
    ip: Option<usize>,
    client_app: Option<usize>,
    os: Option<usize>,
    device: Option<usize>,
    asn: Option<usize>,
    ca: Option<usize>,
    mfa_result: Option<usize>,
}

pub fn normalize_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl CsvColumns {
    /// `None` when the header has no error-code column: not a sign-in export.
    pub fn from_header(headers: &[String]) -> Option<CsvColumns> {
        let names: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        // The first column of a name wins (the portal repeats `Incoming token type`).
        let find = |cands: &[&str]| cands.iter().find_map(|c| names.iter().position(|n| n == c));
        let c = CsvColumns {
            time: find(&[
                "date (utc)",
                "timegenerated [utc]",
                "timegenerated",
                "createddatetime [utc]",
                "createddatetime",
                "date",
            ]),
            code: find(&[
                "sign-in error code",
                "resulttype",
                "errorcode",
                "error code",
            ]),
            status: find(&["status"]),
            user: find(&[
                "username",
                "userprincipalname",
                "user principal name",
                "user",
            ]),
            sp_name: find(&["service principal name", "serviceprincipalname"]),
            app: find(&["application", "appdisplayname"]),
            app_id: find(&["application id", "appid"]),
            ip: find(&["ip address", "ipaddress", "callersipaddress"]),
            client_app: find(&["client app", "clientappused"]),
            os: find(&["operating system"]),
            device: find(&["devicedetail"]),
            asn: find(&["autonomous system number", "autonomoussystemnumber"]),
            ca: find(&[
                "conditionalaccesspolicies",
                "appliedconditionalaccesspolicies",
            ]),
            mfa_result: find(&["multifactor authentication result"]),
        };
        c.code.map(|_| c)
    }

    pub fn record(&self, row: &csv::StringRecord) -> Result<SignIn, String> {
        let get = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or("").trim();
        let status_cell = get(self.status);
        // Log Analytics: `Status` is the status object as JSON text.
        let status_json: Option<Value> = status_cell
            .starts_with('{')
            .then(|| serde_json::from_str(status_cell).ok())
            .flatten();
        let code_cell = get(self.code);
        let code = if code_cell.is_empty() {
            // The portal may leave the code empty on successful rows.
            match status_cell {
                "Success" | "success" => 0,
                _ => {
                    return Err(format!(
                        "empty error code (status {:?})",
                        if status_cell.is_empty() {
                            "missing"
                        } else {
                            status_cell
                        }
                    ))
                }
            }
        } else {
            code_cell
                .parse::<u32>()
                .map_err(|_| format!("error code {code_cell:?} is not a number"))?
        };
        let time = match get(self.time) {
            "" => None,
            t => Some(time(t).ok_or_else(|| format!("time {t:?} is not a date this tool reads"))?),
        };
        let mut user = get(self.user).to_lowercase();
        if user.is_empty() {
            user = get(self.sp_name).to_string();
        }
        let mut app = get(self.app).to_string();
        if app.is_empty() {
            app = get(self.app_id).to_string();
        }
        let mut os = get(self.os).to_string();
        if os.is_empty() {
            if let Some(d) = json_in(Some(&Value::String(get(self.device).to_string()))) {
                os = s(d.get("operatingSystem"));
            }
        }
        let ca = json_in(Some(&Value::String(get(self.ca).to_string())));
        let mut details = get(self.mfa_result).to_string();
        if let Some(st) = &status_json {
            if details.is_empty() {
                details = s(st.get("additionalDetails"));
            }
        }
        Ok(SignIn {
            time,
            code,
            user,
            app,
            ip: get(self.ip).to_string(),
            client_app: get(self.client_app).to_string(),
            os,
            asn: get(self.asn).to_string(),
            ca_failed: failed_policies(ca),
            details,
            weight: 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_monitor_record_with_properties() {
        let v: Value = serde_json::from_str(r#"{ "time": "2025-04-11T16:17:00.7397744Z", "category": "SignInLogs", "resultType": "50126", "callerIpAddress": "203.0.113.9", "identity": "Alex", "properties": {"createdDateTime":"2025-04-11T16:15:30.5431359+00:00","userPrincipalName":"Alex@Contoso.com","appDisplayName":"Azure Portal","status":{"errorCode":50126,"failureReason":"Invalid"},"clientAppUsed":"Browser","deviceDetail":{"operatingSystem":"Windows10"},"appliedConditionalAccessPolicies":[{"displayName":"Block legacy","result":"failure"},{"displayName":"MFA","result":"notApplied"}]}}"#).unwrap();
        let r = from_json(&v).unwrap();
        assert_eq!(r.code, 50126);
        assert_eq!(r.user, "alex@contoso.com");
        assert_eq!(r.ip, "203.0.113.9");
        assert_eq!(r.time.as_deref(), Some("2025-04-11T16:15:30.5431359Z"));
        assert_eq!(r.os, "Windows10");
        assert_eq!(r.ca_failed, vec!["Block legacy"]);
    }

    #[test]
    fn managed_identity_failure_without_description() {
        let v: Value = serde_json::from_str(r#"{"time":"2025-04-22T20:02:10.8937350Z","category":"ManagedIdentitySignInLogs","resultType":"7000232","properties":{"userId":null,"appId":"29031b34-0000-4000-8000-000000000000","ipAddress":"","status":{"errorCode":7000232},"servicePrincipalName":"my-test"}}"#).unwrap();
        let r = from_json(&v).unwrap();
        assert_eq!(r.code, 7000232);
        assert_eq!(r.user, "my-test");
        assert_eq!(r.app, "29031b34-0000-4000-8000-000000000000");
    }

    #[test]
    fn record_without_code_is_rejected_with_reason() {
        let v: Value =
            serde_json::from_str(r#"{"createdDateTime":"2025-01-01T00:00:00Z"}"#).unwrap();
        assert!(from_json(&v).unwrap_err().contains("no error code"));
    }

    #[test]
    fn portal_header_quirks_are_tolerated() {
        let h: Vec<String> = [
            "\u{feff}Date (UTC)",
            "Application ID ",
            "Autonomous system  number",
            "Incoming token type",
            "Sign-in error code",
            "Incoming token type",
            "Status",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = CsvColumns::from_header(&h).unwrap();
        assert_eq!(c.time, Some(0));
        assert_eq!(c.app_id, Some(1));
        assert_eq!(c.asn, Some(2));
        let row = csv::StringRecord::from(vec![
            "2025-03-04T08:19:41Z",
            "x",
            "8075",
            "None",
            "",
            "None",
            "Success",
        ]);
        assert_eq!(c.record(&row).unwrap().code, 0);
        let row = csv::StringRecord::from(vec![
            "2025-03-04T08:19:41Z",
            "x",
            "8075",
            "None",
            "",
            "None",
            "Failure",
        ]);
        assert!(c.record(&row).unwrap_err().contains("empty error code"));
    }
}
