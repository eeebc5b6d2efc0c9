//! The site in real headless Chromium (Debian's `chromium` and `chromium-driver`): the home
//! page's one box (instant results, then words that end on the search results), open a
//! result, the code page at phone width (a usable header search box, the summary with its
//! jump to "How to fix"), paste an MSAL error and read the tailored fix, upload a sign-in CSV
//! and see the report inside the site's header, and check that pasted markup stays inert.
//! Screenshots of the home page, a code page (1280 and 390 px) and a scan report go to
//! `target/screenshots/` for a person to look at.
//!
//! Skipped (with a message) when chromedriver is missing, except under CI.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

async fn start() -> Option<(Client, String, Driver)> {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is not installed: apt-get install chromium chromium-driver"
        );
        eprintln!("skipping: chromedriver not installed");
        return None;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = aadsts_web::router(
        aadsts_catalog::Catalog::builtin(),
        aadsts_web::Config::default(),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let port = free_port();
    let driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--window-size=1280,1000",
                     "--disable-dev-shm-usage"]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return Some((c, base, driver)),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot start a Chromium session: {last:?}");
}

fn screenshot_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test(flavor = "multi_thread")]
async fn search_explain_and_scan_in_chromium() {
    let Some((c, base, _driver)) = start().await else {
        return;
    };
    let shots = screenshot_dir();

    // Home: one box for a code, words or a pasted error.
    c.goto(&format!("{base}/")).await.unwrap();
    std::fs::write(shots.join("home.png"), c.screenshot().await.unwrap()).unwrap();
    // Instant search (progressive enhancement): results appear while a short line is typed.
    let q = c.find(Locator::Css("#home-q")).await.unwrap();
    q.send_keys("reply url").await.unwrap();
    let instant = match c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("ul.instant li a"))
        .await
    {
        Ok(e) => e,
        Err(e) => panic!(
            "no instant results ({e}); page: {}",
            c.source().await.unwrap_or_default()
        ),
    };
    assert!(instant.text().await.unwrap().starts_with("AADSTS"));
    // Words in the one box end on the search results.
    q.clear().await.unwrap();
    q.send_keys("secret expired").await.unwrap();
    c.find(Locator::Css("main form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("ol.hits")).await.unwrap();
    c.find(Locator::Css("a[href='/codes/7000222']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("article h1"))
        .await
        .unwrap();
    assert!(h1
        .text()
        .await
        .unwrap()
        .contains("client secret has expired"));
    std::fs::write(shots.join("code-page.png"), c.screenshot().await.unwrap()).unwrap();
    // At phone width the header keeps a usable search box and the summary sits on top.
    c.set_window_size(390, 1000).await.unwrap();
    let box_width = c
        .find(Locator::Css("#q"))
        .await
        .unwrap()
        .rectangle()
        .await
        .unwrap()
        .2;
    assert!(box_width > 200.0, "search box is {box_width}px wide");
    c.find(Locator::Css("aside.summary a[href='#fix']"))
        .await
        .unwrap();
    std::fs::write(
        shots.join("code-page-390.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.set_window_size(1280, 1000).await.unwrap();

    // Paste box: a real-looking MSAL error with a script tag in it.
    c.goto(&format!("{base}/explain")).await.unwrap();
    let pasted = "Microsoft.Identity.Client.MsalServiceException: AADSTS50011: The redirect URI 'https://localhost:5001/signin-oidc' specified in the request does not match the redirect URIs configured for the application '2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60'. <script>document.title='owned'</script> Trace ID: 5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d Correlation ID: 1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9 Timestamp: 2024-11-02 17:04:11Z";
    c.find(Locator::Css("#text"))
        .await
        .unwrap()
        .send_keys(pasted)
        .await
        .unwrap();
    c.find(Locator::Css("main form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h3[contains(., 'For this error')]"))
        .await
        .unwrap();
    let text = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("https://localhost:5001/signin-oidc"),
        "{text}"
    );
    assert!(text.contains("2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60"));
    assert_ne!(c.title().await.unwrap(), "owned", "pasted script ran");
    let scripts = c.find_all(Locator::Css("main script")).await.unwrap();
    assert!(scripts.is_empty(), "pasted script became an element");

    // Upload a sign-in CSV and read the report.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir
        .path()
        .join("InteractiveSignIns_2025-03-04_2025-03-05.csv");
    let mut body = String::from("\"Date (UTC)\",\"Username\",\"Application\",\"IP address\",\"Status\",\"Sign-in error code\"\n");
    for i in 0..8 {
        body.push_str(&format!("\"2025-03-04T08:1{i}:00Z\",\"user{i}@contoso.com\",\"Outlook\",\"203.0.113.50\",\"Failure\",\"50126\"\n"));
    }
    body.push_str("\"2025-03-04T09:00:00Z\",\"user1@contoso.com\",\"Outlook\",\"198.51.100.1\",\"Success\",\"\"\n");
    std::fs::write(&csv, body).unwrap();
    c.goto(&format!("{base}/scan")).await.unwrap();
    c.find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(csv.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("main form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("svg")).await.unwrap();
    // The report keeps the site's header and navigation.
    c.find(Locator::Css("header.site nav a[href='/scan']"))
        .await
        .unwrap();
    let report = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(report.contains("password-spray"), "{report}");
    assert!(report.contains("InteractiveSignIns_2025-03-04_2025-03-05.csv"));
    std::fs::write(shots.join("scan-report.png"), c.screenshot().await.unwrap()).unwrap();
    // At phone width the codes table is a stack of cards: every count is on screen, none
    // behind a sideways scroll.
    c.set_window_size(390, 1000).await.unwrap();
    let overflow = c
        .execute(
            "const t = document.querySelector('table.scan-codes'); \
             const wide = [...document.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth + 1).length; \
             return [t.getBoundingClientRect().width, wide, document.documentElement.scrollWidth];",
            vec![],
        )
        .await
        .unwrap();
    let v: Vec<f64> = serde_json::from_value(overflow).unwrap();
    assert!(v[0] <= 390.0, "codes table is {}px wide", v[0]);
    assert_eq!(v[1], 0.0, "{} tables scroll sideways at 390 px", v[1]);
    assert!(v[2] <= 390.0, "the page is {}px wide", v[2]);
    std::fs::write(
        shots.join("scan-report-390.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    c.close().await.unwrap();
}
