//! The HTTP application: router, handlers, and running until a shutdown signal.

use std::{any::Any, future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context as _;
use async_graphql::ServerError;
use axum::{
    Json, Router,
    body::Bytes,
    extract::{RawQuery, State},
    http::{
        HeaderMap, HeaderValue, StatusCode,
        header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE},
    },
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, timeout::TimeoutLayer,
};
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    actor::Who,
    auth::{self, tokens},
    config::{ServeSettings, Settings},
    error::{AppError, finalize_errors},
    graphql::{
        self, TindakSchema,
        http::{self, Accept},
    },
    pages,
    reminders::{respond, worker::Reminders},
};
use tokio::sync::watch;

#[derive(Clone)]
struct AppState {
    schema: TindakSchema,
    tokens: Arc<auth::cache::TokenCache>,
    documents: Arc<graphql::documents::Documents>,
    db: DatabaseConnection,
    reminders: Arc<Reminders>,
    playground: bool,
    /// The deployment's name (GraphiQL's title).
    name: Arc<str>,
    /// Whether this process runs the reminder worker (and so whether `/readyz` watches it).
    worker: bool,
}

/// A bound, ready-to-run server. Tests build one on port 0 and read the port back.
pub struct Application {
    listener: TcpListener,
    router: Router,
    reminders: Arc<Reminders>,
    worker: bool,
}

impl Application {
    /// Binds `serve.bind` and wires the schema to `db` (already migrated).
    pub async fn build(
        settings: Settings,
        serve: &ServeSettings,
        db: DatabaseConnection,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(serve.bind)
            .await
            .with_context(|| format!("could not listen on {}", serve.bind))?;
        let reminders = Arc::new(Reminders::new(
            db.clone(),
            settings.clone(),
            serve.remind.clone(),
        )?);
        Ok(Self {
            listener,
            router: router(settings, serve, db, reminders.clone()),
            reminders,
            worker: !serve.no_worker,
        })
    }

    /// The reminder service this server runs.
    pub fn reminders(&self) -> Arc<Reminders> {
        self.reminders.clone()
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves (and runs the reminder worker) until `shutdown` completes, then lets requests
    /// in flight finish and the worker finish the email it is sending.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let worker = self
            .worker
            .then(|| tokio::spawn(self.reminders.clone().run_forever(stopped)));
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop.send(true);
            })
            .await;
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        served
    }
}

pub fn router(
    settings: Settings,
    serve: &ServeSettings,
    db: DatabaseConnection,
    reminders: Arc<Reminders>,
) -> Router {
    if serve.metrics {
        crate::metrics::handle();
    }
    let tokens = Arc::new(auth::cache::TokenCache::default());
    let reports = crate::reports::http::router(crate::reports::http::ReportsState {
        tokens: tokens.clone(),
        db: db.clone(),
        settings: settings.clone(),
        signer: crate::reports::links::ReportSigner::new(&reminders.signer),
        calendar: crate::reports::calendar::CalendarKeys::new(&reminders.signer),
        public_url: serve.remind.mail.public_url.clone(),
    });
    let state = AppState {
        schema: graphql::build(
            db.clone(),
            settings,
            serve.limits(),
            reminders.clone(),
            tokens.clone(),
        ),
        tokens,
        documents: Arc::default(),
        db,
        reminders: reminders.clone(),
        playground: serve.playground,
        name: serve.name.as_str().into(),
        worker: !serve.no_worker,
    };
    let respond = Router::new()
        .route("/respond/{token}", get(respond::show).post(respond::submit))
        .layer(axum::middleware::from_fn(pages::private_page_headers))
        .with_state(reminders);
    let mut app = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if serve.metrics {
        app = app.route("/metrics", get(metrics));
    }
    if serve.playground {
        app = app.route("/graphiql/{dir}/{name}", get(crate::playground::asset));
    }
    let home = Router::new()
        .route("/", get(crate::home::show))
        .with_state(crate::home::Home {
            name: serve.name.clone(),
            playground: serve.playground,
            metrics: serve.metrics,
        });
    app.with_state(state)
        .merge(home)
        .merge(respond)
        .merge(reports)
        .layer(RequestBodyLimitLayer::new(serve.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(serve.request_timeout_secs),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
}

/// `POST /graphql`: one operation, as JSON.
async fn graphql_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let accept = Accept::from_headers(&headers);
    let request_id = Uuid::now_v7().to_string();
    match http::from_post(&headers, &body) {
        Ok(params) => execute(&state, &headers, params, false, accept, request_id).await,
        Err(refused) => {
            crate::metrics::request("refused", "rejected", Duration::ZERO);
            refused.into_response(accept, &request_id)
        }
    }
}

/// `GET /graphql`: a query in the query string, or GraphiQL when there is none (and the
/// playground is on).
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let accept = Accept::from_headers(&headers);
    let request_id = Uuid::now_v7().to_string();
    match http::from_get(raw.as_deref()) {
        Ok(Some(params)) => execute(&state, &headers, params, true, accept, request_id).await,
        Ok(None) if state.playground => crate::playground::page(&state.name),
        Ok(None) => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, HeaderValue::from_static("POST"))],
        )
            .into_response(),
        Err(refused) => refused.into_response(accept, &request_id),
    }
}

/// Runs one GraphQL operation as the holder of the request's bearer token. Without a valid
/// token nothing runs: the answer is UNAUTHENTICATED (HTTP 401). A query text nested too
/// deeply is refused before it is parsed; over GET, only queries run.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    params: http::Params,
    over_get: bool,
    accept: Accept,
    request_id: String,
) -> Response {
    let started = std::time::Instant::now();
    let span = tracing::info_span!("graphql", request_id = %request_id);
    if let Some(message) = http::nesting_error(&params.query, http::MAX_NESTING) {
        crate::metrics::request("invalid", "rejected", started.elapsed());
        let err = AppError::bad_input("query", message);
        return graphql_refusal(err, accept, &request_id);
    }
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(tokens::from_header);
    let actor = match token {
        Some(token) => {
            state
                .tokens
                .authenticate(&state.db, token)
                .instrument(span.clone())
                .await
        }
        None => Ok(None),
    };
    let (user, token_id) = match actor {
        Ok(Some(found)) => found,
        Ok(None) => {
            crate::metrics::request("unauthenticated", "rejected", started.elapsed());
            return graphql_refusal(AppError::Unauthenticated, accept, &request_id);
        }
        Err(err) => return graphql_refusal(err, accept, &request_id),
    };
    let mut request = async_graphql::Request::new(params.query).variables(params.variables);
    if let Some(name) = &params.operation_name {
        request = request.operation_name(name.clone());
    }
    let mut operation = None;
    if let Some(doc) = state.documents.parse(&request.query) {
        if over_get && http::is_mutation(&doc, params.operation_name.as_deref()) {
            let refused = http::Refused {
                status: StatusCode::METHOD_NOT_ALLOWED,
                message: "mutations are sent with POST".into(),
            };
            return refused.into_response(accept, &request_id);
        }
        operation = http::root_field(&doc, params.operation_name.as_deref());
        request.set_parsed_query(doc);
    }
    let request = request
        .data(graphql::loaders::new_loader(state.db.clone()))
        .data(Who::user(user, token_id, Some(request_id.clone())));
    let mut response = state.schema.execute(request).instrument(span).await;
    finalize_errors(&mut response.errors, &request_id);
    let (operation, outcome) = if http::is_request_error(&response) {
        ("invalid".to_owned(), "rejected")
    } else if response.errors.is_empty() {
        (operation.unwrap_or_default(), "ok")
    } else {
        (operation.unwrap_or_default(), "error")
    };
    crate::metrics::request(&operation, outcome, started.elapsed());
    http::answer(accept, &response, &request_id)
}

/// A GraphQL-shaped error answer for a request that was not executed.
fn graphql_refusal(err: AppError, accept: Accept, request_id: &str) -> Response {
    let status = match err {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::BadInput { .. } => StatusCode::OK,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut errors = vec![ServerError::new(err.to_string(), None)];
    errors[0].source = Some(Arc::new(err));
    finalize_errors(&mut errors, request_id);
    let response = async_graphql::Response::from_errors(errors);
    let mut reply = http::answer(accept, &response, request_id);
    if status != StatusCode::OK {
        *reply.status_mut() = status;
    }
    if status == StatusCode::UNAUTHORIZED {
        reply
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    reply
}

/// A panic anywhere in a request becomes a generic INTERNAL error; what panicked goes to the
/// log only, under the id the client is given.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let request_id = Uuid::now_v7().to_string();
    let detail = crate::error::panic_message(panic.as_ref());
    tracing::error!(request_id, panic = detail, "request panicked");
    let body = serde_json::json!({
        "data": null,
        "errors": [{
            "message": format!("Internal error (request {request_id})"),
            "extensions": { "code": "INTERNAL", "requestId": request_id },
        }],
    });
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers, and the reminder worker (when this process runs one) has completed
/// a run within three intervals.
async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(err) = state.db.ping().await {
        tracing::warn!(error = %err, "database not reachable");
        return (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response();
    }
    if state.worker
        && let Some(reason) = state.reminders.unready()
    {
        tracing::warn!(reason, "not ready");
        return (StatusCode::SERVICE_UNAVAILABLE, reason).into_response();
    }
    (StatusCode::OK, "ready").into_response()
}

/// The Prometheus page.
async fn metrics(State(state): State<AppState>) -> Response {
    match crate::metrics::render(&state.db).await {
        Ok(page) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            page,
        )
            .into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "metrics: the outbox could not be read");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}

/// Listens for Ctrl-C and SIGTERM from now on; the future completes on the first of them.
/// Registering eagerly means a signal that arrives during start-up is not lost.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down");
    })
}

#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}
