//! A test app on a test database, and a "browser" that keeps its cookies and calls
//! server functions the way the hydrated app does.

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, HeaderMap, Method, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tasks::{config::Config, db::Db, state::AppState};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub router: Router,
    pub pool: PgPool,
    pub state: AppState,
}

impl TestApp {
    pub fn new(pool: PgPool) -> Self {
        Self::with_config(pool, &[])
    }

    /// `vars` override configuration, as environment variables would.
    pub fn with_config(pool: PgPool, vars: &[(&str, &str)]) -> Self {
        Self::with(pool, Self::config(vars))
    }

    /// The tests' configuration with `vars` set, as environment variables would be.
    pub fn config(vars: &[(&str, &str)]) -> Config {
        let mut all: HashMap<String, String> = HashMap::from([
            // Only parsed: the pool above is what the app uses.
            (
                "DATABASE_URL".into(),
                "postgres://test@localhost/test".into(),
            ),
            ("SERVED_OVER_HTTPS".into(), "false".into()),
            ("PASSWORD_HASH_CONCURRENCY".into(), "2".into()),
        ]);
        all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Config::from_lookup(|name| all.get(name).cloned()).expect("test configuration is valid")
    }

    pub fn with(pool: PgPool, config: Config) -> Self {
        let mut leptos_options = leptos::prelude::get_configuration(Some("Cargo.toml"))
            .expect("Cargo.toml has the Leptos settings")
            .leptos_options;
        // Pages render without a build here: plain bundle names, no hash.txt to read.
        leptos_options.hash_files = false;
        let db = Db::for_config(pool.clone(), &config.database);
        let state = AppState::new(leptos_options, db, config);
        let router = tasks::server::router(state.clone());
        Self {
            router,
            pool,
            state,
        }
    }

    /// `path_and_query` as the app signs what a plain form post sends back to its
    /// page, for `browser` (pages show returned values only from such a URL).
    pub async fn signed(&self, browser: &mut Browser, path_and_query: &str) -> String {
        self.state
            .signer
            .ensure()
            .await
            .expect("the signing key loads");
        let binding = browser
            .cookies
            .entry("returns".into())
            .or_insert_with(|| "0123456789abcdef0123456789abcdef".into())
            .clone();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.state.signer.sign(&binding, path_and_query, now)
    }

    /// The status a log-in from a new browser gets.
    pub async fn log_in_status(&self, email: &str, password: &str) -> StatusCode {
        self.browser().log_in(email, password).await.status
    }

    /// `times` log-ins to `email` with a wrong password, each from a new browser.
    pub async fn fail_log_ins(&self, email: &str, times: usize) {
        for _ in 0..times {
            let status = self.log_in_status(email, "wrong password!!").await;
            assert_ne!(status, StatusCode::OK, "a wrong password was accepted");
        }
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: HashMap::new(),
            address: SocketAddr::from(([127, 0, 0, 1], 40000)),
            user_agent: None,
        }
    }

    /// A new person, signed in on the returned browser.
    pub async fn signed_up(&self, email: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.sign_up("Test Person", email, PASSWORD).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "sign-up failed: {}",
            response.body
        );
        browser
    }
}

pub struct Browser {
    router: Router,
    pub cookies: HashMap<String, String>,
    pub address: SocketAddr,
    /// Sent as `User-Agent` with every request, when set.
    pub user_agent: Option<&'static str>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }
}

impl Browser {
    /// A second tab of this browser: the same cookies, its own requests.
    pub fn tab(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: self.cookies.clone(),
            address: self.address,
            user_agent: self.user_agent,
        }
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.get("session").cloned()
    }

    /// Asks for page `path` and hangs up: before any answer when `at_once`, else
    /// once the answer has begun, without reading its body.
    pub async fn abandon(&self, path: &str, at_once: bool) {
        let request = self.prepare(
            Request::get(path)
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap(),
        );
        let answer = self.router.clone().oneshot(request);
        if at_once {
            let _ = tokio::time::timeout(std::time::Duration::from_micros(1), answer).await;
        } else {
            drop(answer.await.expect("the router answers"));
        }
    }

    fn prepare(&self, mut request: Request<Body>) -> Request<Body> {
        if !self.cookies.is_empty() && !request.headers().contains_key(header::COOKIE) {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        request
            .headers_mut()
            .entry(header::HOST)
            .or_insert("localhost:3000".parse().unwrap());
        if let Some(user_agent) = self.user_agent {
            request
                .headers_mut()
                .insert(header::USER_AGENT, user_agent.parse().unwrap());
        }
        request.extensions_mut().insert(ConnectInfo(self.address));
        request
    }

    pub async fn send(&mut self, request: Request<Body>) -> TestResponse {
        let request = self.prepare(request);
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let (parts, body) = response.into_parts();
        for set_cookie in parts.headers.get_all(header::SET_COOKIE) {
            let set_cookie = set_cookie.to_str().unwrap();
            let (pair, attributes) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = body
            .collect()
            .await
            .expect("the body can be read")
            .to_bytes();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let request = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// A server-function call as the hydrated app makes it: same-origin, form-encoded,
    /// asking for JSON.
    pub async fn call(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let request = form_request(path)
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(form_body(fields))
            .unwrap();
        self.send(request).await
    }

    pub async fn sign_up(&mut self, name: &str, email: &str, password: &str) -> TestResponse {
        self.call(
            "/api/signup",
            &[("name", name), ("email", email), ("password", password)],
        )
        .await
    }

    pub async fn log_in(&mut self, email: &str, password: &str) -> TestResponse {
        self.call("/api/login", &[("email", email), ("password", password)])
            .await
    }

    pub async fn change_password(&mut self, current: &str, new: &str) -> TestResponse {
        self.call(
            "/api/account/password",
            &[("current_password", current), ("new_password", new)],
        )
        .await
    }

    pub async fn log_out(&mut self) -> TestResponse {
        self.call("/api/logout", &[]).await
    }

    /// The signed-in person's email according to the server, or None when anonymous.
    pub async fn whoami(&mut self) -> Option<String> {
        let response = self.call("/api/me", &[]).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let me: Option<serde_json::Value> = serde_json::from_str(&response.body).unwrap();
        me.map(|user| user["email"].as_str().unwrap().to_owned())
    }
}

pub fn form_request(path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

pub fn form_body(fields: &[(&str, &str)]) -> Body {
    Body::from(serde_urlencoded::to_string(fields).unwrap())
}

impl Browser {
    /// A read-only server function, called with GET and a query string.
    pub async fn query(&mut self, path: &str, params: &[(&str, &str)]) -> TestResponse {
        let uri = format!("{path}?{}", serde_urlencoded::to_string(params).unwrap());
        let request = Request::get(uri)
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    pub async fn create_task(&mut self, title: &str, description: &str) -> serde_json::Value {
        let response = self
            .call(
                "/api/tasks/create",
                &[("title", title), ("description", description)],
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        serde_json::from_str(&response.body).unwrap()
    }

    /// One page of the list: (titles, next cursor, previous cursor, active count, completed count).
    pub async fn list(&mut self, params: &[(&str, &str)]) -> serde_json::Value {
        let response = self.query("/api/tasks/list", params).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        serde_json::from_str(&response.body).unwrap()
    }
}

pub fn titles(page: &serde_json::Value) -> Vec<String> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect()
}

/// A browser's own form submission (JavaScript off) from the page at `referer`.
pub fn plain_form_post(path: &str, referer: &str, fields: &[(&str, &str)]) -> Request<Body> {
    form_request(path)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, referer)
        .header("sec-fetch-site", "same-origin")
        .body(form_body(fields))
        .unwrap()
}
