// Generated from apps/api/openapi.json by `npm run contracts`; do not edit.

export interface paths {
    "/api/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alerts, newest first (filters: state, priority, node and below). */
        get: operations["AlertsController_list"];
        put?: never;
        /** Raise an alert on a machine. */
        post: operations["AlertsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An alert. */
        get: operations["AlertsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change an alert (409 once done). */
        patch: operations["AlertsController_update"];
        trace?: never;
    };
    "/api/alerts/{id}/state": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move an alert: open -> planned -> done, planned -> open (else 409). */
        post: operations["AlertsController_setState"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first: events of the subtrees you administer (and your own), with filters. */
        get: operations["AuditController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/can": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether you may do an action on a row (what the portal shows); false for rows you cannot see. */
        get: operations["AuthController_can"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user, the roles they hold, and (sessions) the CSRF token. */
        get: operations["AuthController_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change your name. */
        patch: operations["AuthController_rename"];
        trace?: never;
    };
    "/api/auth/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change your password (the current one is asked): ends your other sessions, and revokes your API tokens (but the one making the change) unless revokeApiTokens is false. */
        post: operations["AuthController_changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password with the token of the link; ends every session, and revokes your API tokens unless revokeApiTokens is false. */
        post: operations["AuthController_reset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password-reset/request": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Email a password reset link (answers the same for any address). */
        post: operations["AuthController_requestReset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account (and optionally an organisation you own); a link confirms the email. Answers the same for an address that has an account (its owner is told by email). */
        post: operations["AuthController_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/resend-verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the confirmation link again (answers the same for any address). */
        post: operations["AuthController_resend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in: sets the httpOnly session cookie and the CSRF cookie (send it back as x-csrf-token). Repeated failures lock the account for a while (429). */
        post: operations["AuthController_signIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the session of this browser and clear its cookies. */
        post: operations["AuthController_signOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your personal API tokens (without their secrets). */
        get: operations["AuthController_tokens"];
        put?: never;
        /** A personal API token for scripts (Authorization: Bearer …); its secret is shown this once. */
        post: operations["AuthController_createToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of your API tokens: refused from now on. */
        delete: operations["AuthController_revokeToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/verify-email": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm an email address with the token of the link sent to it. */
        post: operations["AuthController_verifyEmail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/budgets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a budget; returns it. */
        delete: operations["BillingController_deleteBudget"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/invoices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Invoices and credit notes, newest period first. */
        get: operations["BillingController_invoices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/invoices.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Invoices and credit notes as CSV (periods starting in [from, to)). */
        get: operations["BillingController_invoicesCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/invoices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An invoice or credit note with its lines. */
        get: operations["BillingController_invoice"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/invoices/{id}/lines/{lineId}/movements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The movements a line was rated from, oldest first. */
        get: operations["BillingController_lineMovements"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/invoices/{id}/pay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Record a finalised document as paid (409 otherwise). */
        post: operations["BillingController_pay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/invoices/{id}/pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The PDF as issued; a draft is rendered now, marked draft. */
        get: operations["BillingController_pdf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/invoices/{id}/void": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Void a finalised document, with a reason (409 otherwise). */
        post: operations["BillingController_void"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Billable metrics (no prices). */
        get: operations["BillingController_metrics"];
        put?: never;
        /** Create a billable metric; its selection never changes. */
        post: operations["BillingController_createMetric"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/metrics/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Rename, describe or archive a metric. */
        patch: operations["BillingController_updateMetric"];
        trace?: never;
    };
    "/api/billing/organisations/{id}/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the organisation is billed as. */
        get: operations["BillingController_account"];
        /** Change billing details (tax rate and grace days: platform admins). */
        put: operations["BillingController_updateAccount"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/organisations/{id}/budgets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation's budgets. */
        get: operations["BillingController_budgets"];
        put?: never;
        /** Add a budget: alerts at its thresholds. */
        post: operations["BillingController_createBudget"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/organisations/{id}/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation's subscriptions, oldest first. */
        get: operations["BillingController_subscriptions"];
        put?: never;
        /** Subscribe the organisation to a plan (409 if it has one). */
        post: operations["BillingController_subscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/organisations/{id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage of the current period: so far, forecast to its end, and a series. */
        get: operations["BillingController_usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Plans (platform admins and billing readers). */
        get: operations["BillingController_plans"];
        put?: never;
        /** Create a plan with its first prices. */
        post: operations["BillingController_createPlan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/plans/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A plan with its prices over time; organisations' overrides to platform admins only. */
        get: operations["BillingController_plan"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/plans/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Prices from a date on: the plan's, or an organisation's override. */
        post: operations["BillingController_addVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/reports/monthly": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The platform's billing of a month, per currency. */
        get: operations["BillingController_report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/reports/monthly.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The monthly report as CSV. */
        get: operations["BillingController_reportCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/reports/monthly.pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The monthly report as PDF. */
        get: operations["BillingController_reportPdf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a billing run of the organisation (a billing-run job). */
        post: operations["BillingController_startRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/subscriptions/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel at the period end, or now (the end of today, UTC). */
        post: operations["BillingController_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/subscriptions/{id}/change": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move to another plan at a day boundary; returns the new subscription. */
        post: operations["BillingController_changePlan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/billing/usage-lines.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The metric lines of invoices and credit notes as CSV. */
        get: operations["BillingController_usageCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** CDC sources with their live status. */
        get: operations["CdcSourcesController_list"];
        put?: never;
        /** Register a Postgres database to capture (checks it first: reachable, wal_level=logical, REPLICATION, tables with keys). */
        post: operations["CdcSourcesController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A CDC source and its status: confirmed LSN, lag, changes/s, errors. */
        get: operations["CdcSourcesController_get"];
        put?: never;
        post?: never;
        /** Drop: stop, drop the slot and publication on the source, forget the source (mirror kept unless dropMirror=true). */
        delete: operations["CdcSourcesController_drop"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}/commands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent requests (re-snapshots, resumes) and how they ended. */
        get: operations["CdcSourcesController_commands"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Changes that could not be decoded or applied. */
        get: operations["CdcSourcesController_deadLetters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}/dead-letters/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Apply dead letters again (all, or the ids given). */
        post: operations["CdcSourcesController_replay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}/lag": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Lag and rate samples (every 5 s, kept a day). */
        get: operations["CdcSourcesController_lag"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause: apply what was read, confirm it, close the replication. */
        post: operations["CdcSourcesController_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}/resnapshot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Read one table again from the source while streaming goes on. */
        post: operations["CdcSourcesController_resnapshot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cdc/sources/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume, also after a schema change paused the source. */
        post: operations["CdcSourcesController_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and database state; 503 when the database is down. */
        get: operations["HealthController_check"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/imports/cmapss/{parentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a NASA C-MAPSS turbofan file (train_FD00x.txt as the body): one machine node per engine under parentId, one series per setting and sensor, accounted as movements; 400 naming the line of a bad row. */
        post: operations["ImportsController_cmapss"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/imports/solar-generation/{parentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a solar plant's generation CSV (DC and AC power, daily and total yield per inverter and 15-minute slot): the plant (site) under parentId, one machine per inverter, their series, accounted as movements. */
        post: operations["ImportsController_solarGeneration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/imports/solar-weather/{parentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a solar plant's weather sensor CSV (irradiation, ambient and module temperature): the same plant as its generation file, a sensor node with three series, accounted as movements. */
        post: operations["ImportsController_solarWeather"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/imports/wind-scada/{parentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a wind turbine's 10-minute SCADA CSV (the layout of T1.csv: date/time, active power, wind speed, theoretical power, wind direction) as a turbine (machine) under parentId with one series per column, accounted as movements; 400 naming the line of a bad row. */
        post: operations["ImportsController_windScada"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ingest/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where agents send data: the ingest gateway’s HTTP URL and forward port. */
        get: operations["IngestEndpointsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invitations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a pending invitation. */
        delete: operations["MembersController_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invitations/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an invitation: a new account (name, password) or the existing one (its password); signs in. */
        post: operations["MembersController_accept"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/invitations/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What an invitation link offers (for the page that accepts it). */
        get: operations["MembersController_lookup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List items (cursor pagination, filters, sort). */
        get: operations["ItemsController_list"];
        put?: never;
        /** Create a item. */
        post: operations["ItemsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/items/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a item. */
        get: operations["ItemsController_get"];
        put?: never;
        post?: never;
        /** Delete a item that no movement refers to. */
        delete: operations["ItemsController_remove"];
        options?: never;
        head?: never;
        /** Change a item. */
        patch: operations["ItemsController_update"];
        trace?: never;
    };
    "/api/items/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download an item's body (a trained model's trees as JSON), as a file named after its reference; 404 when it has none. */
        get: operations["ItemsController_content"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Runs, newest first, with state, progress and task counts. */
        get: operations["JobsController_runs"];
        put?: never;
        /** Submit a run: parameters are checked against the job type (400 naming each bad one), tasks without dependencies are queued. */
        post: operations["JobsController_submit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A run with its tasks. */
        get: operations["JobsController_run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a queued or running run: running tasks are aborted (409 if it has finished). */
        post: operations["JobsController_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/runs/{id}/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the run read (series, time ranges, points) and produced (items), with the movements accounting for them. */
        get: operations["JobsController_lineage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/runs/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A run's log lines (of one task with taskId), oldest first. */
        get: operations["JobsController_logs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/runs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry a failed or cancelled run: its failed and cancelled tasks run again with fresh attempts (409 otherwise). */
        post: operations["JobsController_retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Cron schedules with their next time and latest run. */
        get: operations["JobsController_schedules"];
        put?: never;
        /** Create a cron schedule (cron, time zone and parameters are checked first). */
        post: operations["JobsController_createSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One schedule. */
        get: operations["JobsController_schedule"];
        put?: never;
        post?: never;
        /** Delete a schedule (its runs stay). */
        delete: operations["JobsController_deleteSchedule"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/schedules/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a schedule. */
        post: operations["JobsController_pauseSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/schedules/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a schedule from now on (missed times do not fire). */
        post: operations["JobsController_resumeSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Job types, with their parameter schemas and steps. */
        get: operations["JobsController_types"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/types/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job type. */
        get: operations["JobsController_type"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Worker processes heard from in the last day. */
        get: operations["JobsController_workers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/lightcurves": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import a Kepler or TESS light curve (FITS file as the body): a star node under parentId with PDCSAP flux and error series, accounted as movements; 400 naming `file` when it is not a FITS light curve. */
        post: operations["LightCurvesController_import"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/lightcurves/candidates/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A transit candidate with its periodogram and its light curve folded on its period. */
        get: operations["LightCurvesController_candidate"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/lightcurves/stars/{id}/candidates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Transit candidates of a star's latest search, by rank, with their KOI match. */
        get: operations["LightCurvesController_candidates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/lightcurves/stars/{id}/transit-search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a transit-search run on the star's light curve (candidates become items). */
        post: operations["LightCurvesController_search"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/maintenance-orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Maintenance orders, newest first (filters: state, priority, node). */
        get: operations["MaintenanceOrdersController_list"];
        put?: never;
        /** Order maintenance on a machine, optionally answering an alert (which is then planned). */
        post: operations["MaintenanceOrdersController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/maintenance-orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A maintenance order. */
        get: operations["MaintenanceOrdersController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change an order (409 once done). */
        patch: operations["MaintenanceOrdersController_update"];
        trace?: never;
    };
    "/api/maintenance-orders/{id}/state": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move an order: open -> planned -> done, planned -> open (else 409). Done also closes the alert it answers. */
        post: operations["MaintenanceOrdersController_setState"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/members/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Take a role away (an organisation keeps at least one owner). */
        delete: operations["MembersController_remove"];
        options?: never;
        head?: never;
        /** Change a member’s role (owners only grant or take away owner). */
        patch: operations["MembersController_changeRole"];
        trace?: never;
    };
    "/api/movements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List movements, newest first, with filters. */
        get: operations["MovementsController_list"];
        put?: never;
        /** Record a movement (idempotent with externalId). */
        post: operations["MovementsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/movements/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a movement. */
        get: operations["MovementsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nodes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the nodes you may see (cursor pagination, filters, sort). */
        get: operations["NodesController_list"];
        put?: never;
        /** Create a node (under a node you administer; roots: platform admins). */
        post: operations["NodesController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nodes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a node. */
        get: operations["NodesController_get"];
        put?: never;
        post?: never;
        /** Delete a node without children, paths, items or movements. */
        delete: operations["NodesController_remove"];
        options?: never;
        head?: never;
        /** Change a node (move it with parentId). */
        patch: operations["NodesController_update"];
        trace?: never;
    };
    "/api/nodes/{id}/ancestors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ancestors of a node that you may see, root first. */
        get: operations["NodesController_ancestors"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nodes/{id}/children": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Direct children of a node, by name. */
        get: operations["NodesController_children"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nodes/{id}/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Pending invitations to the node and the nodes under it. */
        get: operations["MembersController_invitations"];
        put?: never;
        /** Invite someone by email to take a role on the node; the link expires. */
        post: operations["MembersController_invite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nodes/{id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Roles held on the node and on the nodes under it. */
        get: operations["MembersController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nodes/{id}/movement-summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Quantities per resource and UTC day over a node's subtree. */
        get: operations["MovementsController_summary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nodes/{id}/subtree": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The node and all nodes below it, depth-first, with their depth. */
        get: operations["NodesController_subtree"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/paths": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the paths you may see (cursor pagination, filters, sort). */
        get: operations["PathsController_list"];
        put?: never;
        /** Create a path (you operate one of its ends and may see both). */
        post: operations["PathsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/paths/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a path. */
        get: operations["PathsController_get"];
        put?: never;
        post?: never;
        /** Delete a path that no movement refers to. */
        delete: operations["PathsController_remove"];
        options?: never;
        head?: never;
        /** Change a path. */
        patch: operations["PathsController_update"];
        trace?: never;
    };
    "/api/paths/{id}/ingest-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live ingest statistics of a path: points, points/s, last seen, rejected lines. */
        get: operations["IngestStatusController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/paths/{pathId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events of a path: records with no numeric value, newest first (cursor pagination). */
        get: operations["PathEventsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/paths/{pathId}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Tokens of a path (without their secrets). */
        get: operations["PathTokensController_list"];
        put?: never;
        /** Create a token; the answer holds its secret, shown this once. */
        post: operations["PathTokensController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/paths/{pathId}/tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a token: writes with it are refused from now on. */
        delete: operations["PathTokensController_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/paths/ingest-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live ingest statistics of several paths (unknown ids left out). */
        get: operations["IngestStatusController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/remaining-life": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Machines (under nodeId, or all) with their latest remaining-life estimate, open alerts and active orders. */
        get: operations["RemainingLifeController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/remaining-life/{nodeId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A machine's estimates, newest first. */
        get: operations["RemainingLifeController_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List resources (cursor pagination, filters, sort). */
        get: operations["ResourcesController_list"];
        put?: never;
        /** Create a resource. */
        post: operations["ResourcesController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/resources/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a resource. */
        get: operations["ResourcesController_get"];
        put?: never;
        post?: never;
        /** Delete a resource that no movement refers to. */
        delete: operations["ResourcesController_remove"];
        options?: never;
        head?: never;
        /** Change a resource. */
        patch: operations["ResourcesController_update"];
        trace?: never;
    };
    "/api/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List series by measurement, field, tags (tag=name:value), node or resource. */
        get: operations["SeriesController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/series/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One series. */
        get: operations["SeriesController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/series/{id}/chart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The series downsampled to at most `points` pixels: min, max and mean per pixel. */
        get: operations["SeriesController_chart"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/series/{id}/points": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Raw points in [from, to), a page at a time. */
        get: operations["SeriesController_points"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/series/aggregate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Aggregates in time buckets, grouped by tags, from chunk summaries where possible. */
        post: operations["SeriesController_aggregate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/series/last": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest point of each matching series. */
        get: operations["SeriesController_last"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AcceptInvitationInput: {
            /** @description For a new account: your name. */
            name?: string;
            /** @description A new password (new account) or the account’s password. */
            password: string;
            token: string;
        };
        AddPlanVersionInput: {
            charges: components["schemas"]["ChargeInputDto"][];
            /**
             * Format: date-time
             * @description A day boundary (00:00 UTC).
             */
            effectiveFrom: string;
            /** @description Required in a plan's own prices (0 for none). */
            fixedFee?: string;
            note?: string;
            /**
             * Format: uuid
             * @description An override for this organisation only.
             */
            organisationId?: string;
        };
        AggregateInput: {
            /**
             * @example [
             *       "mean",
             *       "max"
             *     ]
             */
            aggregates: string[];
            /** @example 1h */
            every: string;
            field: string;
            from: string;
            groupBy?: string[];
            measurement: string;
            /** Format: uuid */
            nodeId?: string;
            tags?: {
                [key: string]: string;
            };
            to: string;
        };
        AggregateResultModel: {
            groups: components["schemas"]["GroupModel"][];
            stats: components["schemas"]["QueryStatsModel"];
        };
        ApiTokenModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            lastUsedAt?: string | null;
            name: string;
            prefix: string;
            /** Format: date-time */
            revokedAt?: string | null;
        };
        AppliedTierModel: {
            amount: string;
            flatFee: string;
            from: string;
            quantity: string;
            unitPrice: string;
            upTo: string | null;
        };
        AuditEventConnection: {
            items: components["schemas"]["AuditEventModel"][];
            nextCursor: string | null;
        };
        AuditEventModel: {
            action: string;
            actorLabel: string;
            /** Format: uuid */
            actorUserId: string | null;
            /** Format: date-time */
            at: string;
            details: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            nodeId: string | null;
            /** @enum {string} */
            outcome: "success" | "failure";
            sourceIp: string | null;
            /** Format: uuid */
            subjectUserId: string | null;
            targetId: string | null;
            targetType: string | null;
            userAgent: string | null;
        };
        BillingAccountModel: {
            address: string[];
            email: string | null;
            graceDays: number;
            legalName: string | null;
            /** Format: uuid */
            organisationId: string;
            taxId: string | null;
            taxRate: string;
        };
        BillingMetricModel: {
            /** @enum {string} */
            aggregation: "sum" | "count" | "max" | "unique_count" | "latest" | "time_weighted_sum";
            /** Format: date-time */
            archivedAt: string | null;
            code: string;
            /** Format: date-time */
            createdAt: string;
            description: string;
            /** Format: uuid */
            id: string;
            itemKinds: string[];
            name: string;
            origins: string[];
            pathIds: string[];
            /** @enum {string} */
            payer: "destination" | "source";
            /** Format: uuid */
            resourceId: string | null;
            /** @description A reference pattern with *. */
            resourcePattern: string | null;
            /**
             * Format: date-time
             * @description When the rollups last moved their watermark.
             */
            rolledAt: string | null;
            /** @enum {string|null} */
            uniqueOf: "item" | "source_node" | "destination_node" | null;
            unit: string;
            unitDivisor: string;
        };
        BucketModel: {
            time: string;
            values: {
                [key: string]: number | null;
            };
        };
        BudgetModel: {
            amount: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "money" | "quantity";
            /** Format: uuid */
            metricId: string | null;
            /** Format: uuid */
            organisationId: string;
            thresholds: number[];
        };
        CancelInput: {
            /** @enum {string} */
            when: "period_end" | "now";
        };
        CanModel: {
            allowed: boolean;
        };
        CdcCommandModel: {
            error: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            /** Format: uuid */
            id: string;
            /** @description resnapshot or resume. */
            kind: string;
            /** Format: date-time */
            requestedAt: string;
            /**
             * @description pending, running, done or failed.
             * @enum {string}
             */
            state: "pending" | "running" | "done" | "failed";
            table: string | null;
        };
        CdcDeadLetterModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            offset: string | null;
            partition: number | null;
            payload: string | null;
            position: string | null;
            reason: string;
            /** Format: date-time */
            replayedAt: string | null;
            topic: string | null;
        };
        CdcDropResultModel: {
            /** @description Whether the mirror schema was dropped (dropMirror=true). */
            mirrorDropped: boolean;
            /** @description The mirror schema, kept unless dropped. */
            mirrorSchema: string;
            /**
             * @description The path: deleted, or revoked when movements refer to it.
             * @enum {string}
             */
            path: "deleted" | "revoked";
            /** @description Whether the publication was dropped on the source. */
            publicationDropped: boolean;
            /** @description Whether the replication slot was dropped on the source. */
            slotDropped: boolean;
            /** @description What was left on the source when dropped with force=true. */
            warning: string | null;
        };
        CdcLagSampleModel: {
            /** Format: date-time */
            at: string;
            changesPerSecond: number;
            lagBytes: number | null;
            lagSeconds: number | null;
        };
        CdcReplayFailureModel: {
            /** Format: uuid */
            id: string;
            reason: string;
        };
        CdcReplayResultModel: {
            failed: components["schemas"]["CdcReplayFailureModel"][];
            replayed: string[];
        };
        CdcSourceModel: {
            /** @description The connection string without its password. */
            connection: string;
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: uuid
             * @description The lake node (movements go to it).
             */
            destinationId: string;
            /**
             * Format: uuid
             * @description The path id.
             */
            id: string;
            /** @description Key columns of each table. */
            keys: {
                [key: string]: string[];
            };
            /** @description The mirror schema. */
            mirrorSchema: string;
            /** @description Names the mirror schema lake_<name>. */
            name: string;
            publication: string;
            slot: string;
            /**
             * Format: uuid
             * @description The database node (movements come from it).
             */
            sourceId: string;
            /**
             * @description The path: active, paused or revoked.
             * @enum {string}
             */
            state: "active" | "paused" | "revoked";
            status: components["schemas"]["CdcSourceStatusModel"];
            tables: string[];
        };
        CdcSourceStatusModel: {
            /** @description Changes applied since the running process took the source. */
            changesApplied: number;
            /** @description Changes applied per second, over the last seconds. */
            changesPerSecond: number;
            /** @example 0/1A2B3C8 */
            confirmedLsn: string | null;
            lagBytes: number | null;
            lagSeconds: number | null;
            lastError: string | null;
            /** Format: date-time */
            lastErrorAt: string | null;
            /** Format: date-time */
            nextRetryAt: string | null;
            pausedReason: string | null;
            problems: string[];
            /** @description The process running it (host:pid); platform administrators only. */
            runner: string | null;
            sourceLsn: string | null;
            /**
             * @description starting, snapshotting, streaming, paused, retrying, stopped; waiting: no process has taken it yet.
             * @enum {string}
             */
            state: "starting" | "snapshotting" | "streaming" | "paused" | "retrying" | "stopped" | "waiting";
            /** Format: date-time */
            updatedAt: string | null;
        };
        ChangePasswordInput: {
            currentPassword: string;
            newPassword: string;
            /**
             * @description Also revoke your personal API tokens (whoever knew the old password may have made one).
             * @default true
             */
            revokeApiTokens: boolean;
        };
        ChangePlanInput: {
            /**
             * Format: date-time
             * @description A day boundary after the start, not yet invoiced.
             */
            at: string;
            /** Format: uuid */
            planId: string;
        };
        ChangeRoleInput: {
            /** @enum {string} */
            role: "owner" | "admin" | "operator" | "analyst" | "billing" | "viewer";
        };
        ChargeInputDto: {
            capAmount?: string;
            includedQuantity?: string;
            /** @description The metric's code. */
            metric: string;
            minimumAmount?: string;
            /** @enum {string} */
            model: "per_unit" | "graduated" | "volume" | "package";
            packagePrice?: string;
            packageSize?: string;
            /** @description A hard quota per period. */
            quota?: string;
            tiers?: components["schemas"]["TierInput"][];
            unitPrice?: string;
        };
        ChartModel: {
            points: components["schemas"]["ChartPointModel"][];
            series: components["schemas"]["SeriesModel"];
            stats: components["schemas"]["QueryStatsModel"];
        };
        ChartPointModel: {
            count: number;
            max: number;
            mean: number;
            min: number;
            time: string;
        };
        CmapssImportModel: {
            engines: components["schemas"]["ImportedEngineModel"][];
            fleet: string;
            /** @enum {string} */
            history: "run-to-failure" | "in-service";
            /** @description Points at timestamps not held before (accounted as movements). */
            newPoints: number;
            /** Format: uuid */
            parentId: string;
            points: number;
            /** @description Series written (one per engine and column). */
            series: number;
        };
        CreateAlertInput: {
            description?: string;
            /**
             * Format: date-time
             * @description Start of the predicted failure window.
             */
            failureFrom?: string;
            /**
             * Format: date-time
             * @description End of the predicted failure window.
             */
            failureTo?: string;
            metadata?: {
                [key: string]: unknown;
            };
            /**
             * Format: uuid
             * @description The machine's node.
             */
            nodeId: string;
            /**
             * @description Default medium.
             * @enum {string}
             */
            priority?: "low" | "medium" | "high" | "critical";
            /** @description What is wrong, in a line. */
            title: string;
        };
        CreateApiTokenInput: {
            /** @default 90 */
            expiresInDays: number;
            /** @description What the token is for, e.g. "nightly export script". */
            name: string;
        };
        CreateBudgetInput: {
            /** @description Money in the plan's currency, or a quantity. */
            amount: string;
            /** @enum {string} */
            kind: "money" | "quantity";
            /**
             * Format: uuid
             * @description The metric of a quantity budget.
             */
            metricId?: string;
            thresholds?: number[];
        };
        CreateCdcSourceInput: {
            /** @example postgresql://replicator:secret@erp-db:5432/erp */
            connectionString: string;
            /**
             * Format: uuid
             * @description The lake node (movements go to it).
             */
            destinationId: string;
            /** @description Key columns of tables without a primary key: {"schema.table": ["column"]}. */
            keys?: {
                [key: string]: unknown;
            };
            /**
             * @description Names the mirror schema lake_<name>: [a-z0-9_], 1-63 characters.
             * @example erp
             */
            name: string;
            /** @description The path's name; default "CDC <name>". */
            pathName?: string;
            /** @description Create it paused (default: start at once). */
            paused?: boolean;
            /** @description Publication; default sextant_<name>. */
            publication?: string;
            /** @description Replication slot; default sextant_<name>. */
            slot?: string;
            /**
             * Format: uuid
             * @description The database node (movements come from it).
             */
            sourceId: string;
            /**
             * @example [
             *       "public.orders"
             *     ]
             */
            tables: string[];
        };
        CreatedApiTokenModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            lastUsedAt?: string | null;
            name: string;
            prefix: string;
            /** Format: date-time */
            revokedAt?: string | null;
            /** @description Send it as Authorization: Bearer <token>; only its hash is kept. */
            token: string;
        };
        CreatedPathTokenModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            lastUsedAt: string | null;
            name: string;
            /** Format: uuid */
            pathId: string;
            /** @description The first characters of the token, to recognise it. */
            prefix: string;
            /** Format: date-time */
            revokedAt: string | null;
            /** @description The secret: give it to the writer now; only its hash is kept. */
            token: string;
        };
        CreateItemInput: {
            /** @enum {string} */
            kind: "sensor" | "data_set" | "licence" | "model" | "candidate" | "maintenance_order" | "other" | "alert" | "report";
            metadata?: {
                [key: string]: unknown;
            };
            name: string;
            /**
             * Format: uuid
             * @description The node that owns the item.
             */
            ownerId: string;
            reference: string;
        };
        CreateJobScheduleInput: {
            /**
             * @description Five fields (minute hour day month weekday), or six with seconds first.
             * @example 0 3 * * *
             */
            cron: string;
            name: string;
            /**
             * Format: uuid
             * @description The node owning its runs.
             */
            ownerId: string;
            /** @description Parameters of every run. */
            params?: {
                [key: string]: unknown;
            };
            /** @description Create it paused. */
            paused?: boolean;
            /** @description Priority of its runs (default 0). */
            priority?: number;
            /**
             * @description IANA time zone of the cron fields (default UTC).
             * @example Europe/Copenhagen
             */
            timezone?: string;
            /**
             * @description The job type.
             * @example series-health
             */
            type: string;
        };
        CreateMaintenanceOrderInput: {
            /**
             * Format: uuid
             * @description The alert it answers (an open alert becomes planned; done with the order).
             */
            alertId?: string;
            description?: string;
            /**
             * Format: date-time
             * @description Start of the predicted failure window.
             */
            failureFrom?: string;
            /**
             * Format: date-time
             * @description End of the predicted failure window.
             */
            failureTo?: string;
            metadata?: {
                [key: string]: unknown;
            };
            /**
             * Format: uuid
             * @description The machine's node.
             */
            nodeId: string;
            /**
             * Format: date-time
             * @description When the work is planned.
             */
            plannedFor?: string;
            /**
             * @description Default medium.
             * @enum {string}
             */
            priority?: "low" | "medium" | "high" | "critical";
            /** @description What is wrong, in a line. */
            title: string;
        };
        CreateMetricInput: {
            /** @enum {string} */
            aggregation: "sum" | "count" | "max" | "unique_count" | "latest" | "time_weighted_sum";
            /** @example points */
            code: string;
            description?: string;
            /** @description Item kinds counted (default: all). */
            itemKinds?: string[];
            name: string;
            /** @description Movement origins counted (default: all). */
            origins?: string[];
            pathIds?: string[];
            /**
             * @description Default: destination.
             * @enum {string}
             */
            payer?: "destination" | "source";
            /** @description A resource by reference. */
            resource?: string;
            /** @description Or resources by a reference pattern with *. */
            resourcePattern?: string;
            /** @enum {string} */
            uniqueOf?: "item" | "source_node" | "destination_node";
            /** @example points */
            unit: string;
            /** @description Quantities are divided by it (default 1). */
            unitDivisor?: string;
        };
        CreateMovementInput: {
            /**
             * Format: uuid
             * @description The movement this one corrects (same resource, source and destination); a correction may be negative.
             */
            correctsId?: string;
            /** Format: uuid */
            destinationId: string;
            /** @description Idempotency key: a retry with the same key records nothing new. */
            externalId?: string;
            /** Format: uuid */
            itemId?: string;
            /**
             * @description Default: manual.
             * @enum {string}
             */
            origin?: "ingest" | "cdc" | "analysis" | "manual" | "job" | "metering";
            /** Format: uuid */
            pathId?: string;
            /** @example 86400 */
            quantity: string | number;
            /** Format: uuid */
            resourceId: string;
            /** Format: uuid */
            sourceId: string;
            /** Format: date-time */
            start: string;
            /** Format: date-time */
            stop: string;
            unitPrice?: string;
        };
        CreateNodeInput: {
            /** @enum {string} */
            kind: "organisation" | "site" | "machine" | "sensor_host" | "sensor" | "database" | "person" | "telescope" | "vehicle" | "star" | "other";
            metadata?: {
                [key: string]: unknown;
            };
            name: string;
            /**
             * Format: uuid
             * @description Parent node; omit for a root (an organisation).
             */
            parentId?: string;
            /** @description Unique, e.g. acme.north.t07. */
            reference: string;
        };
        CreatePathInput: {
            /** Format: uuid */
            destinationId: string;
            /** @description Resource mapping rules. */
            mapping?: {
                [key: string]: unknown;
            };
            name: string;
            /** @enum {string} */
            protocol: "line" | "forward" | "http" | "mqtt" | "cdc" | "file";
            settings?: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            sourceId: string;
            /**
             * @description Default: active.
             * @enum {string}
             */
            state?: "active" | "paused" | "revoked";
        };
        CreatePathTokenInput: {
            /** @description What or who the token is for, e.g. "telegraf on T07". */
            name: string;
        };
        CreatePlanInput: {
            charges: components["schemas"]["ChargeInputDto"][];
            /** @example standard */
            code: string;
            /** @example EUR */
            currency: string;
            description?: string;
            /**
             * Format: date-time
             * @description A day boundary (00:00 UTC).
             */
            effectiveFrom: string;
            /** @description Required in a plan's own prices (0 for none). */
            fixedFee?: string;
            /** @enum {string} */
            interval: "month" | "year";
            name: string;
            note?: string;
        };
        CreateResourceInput: {
            description?: string;
            name: string;
            /** @description Unique, e.g. vibration.rms. */
            reference: string;
            /** @description Days of data kept; absent keeps everything. */
            retentionDays?: number;
            unit: string;
            /** @example 0.00001 */
            unitPrice?: string;
            /** @enum {string} */
            valueType: "float" | "integer" | "unsigned" | "boolean" | "string";
        };
        CurrencyReportModel: {
            byMetric: components["schemas"]["ReportRowModel"][];
            byOrganisation: components["schemas"]["OrganisationReportRowModel"][];
            byResource: components["schemas"]["ReportRowModel"][];
            credited: string;
            currency: string;
            invoiced: string;
            minorUnits: number;
            net: string;
            outstanding: string;
            paid: string;
            previousNet: string;
        };
        EmailInput: {
            /** Format: email */
            email: string;
        };
        EstimateModel: {
            /** Format: date-time */
            at: string;
            health: number | null;
            lower: number | null;
            /** Format: uuid */
            modelItemId: string | null;
            remaining: number;
            /** Format: uuid */
            runId: string | null;
            unit: string;
            upper: number | null;
        };
        FoldedCurveModel: {
            /** @description Points in the bin. */
            count: number[];
            /** @description Mean relative flux of the bin. */
            flux: number[];
            /** @description Bin centres, hours from transit. */
            phaseHours: number[];
        };
        GroupModel: {
            buckets: components["schemas"]["BucketModel"][];
            /** @description The organisation (root node) of the group's series: a group never merges two organisations. */
            organisationId: string | null;
            series: number;
            tags: {
                [key: string]: string;
            };
        };
        ImportedColumnModel: {
            field: string;
            /** @description Null when the file had no value. */
            id: string | null;
            /** @description Points at timestamps not held before (accounted as movements). */
            newPoints: number;
            points: number;
            /** @description Reference of the resource. */
            resource: string;
            unit: string;
        };
        ImportedEngineModel: {
            /** @description Whether this import created the machine node. */
            created: boolean;
            cycles: number;
            /** Format: uuid */
            id: string;
            name: string;
            unit: number;
        };
        ImportedInverterModel: {
            /** @description Whether this import created the node. */
            created: boolean;
            /** Format: uuid */
            id: string;
            name: string;
            rows: number;
            series: components["schemas"]["ImportedColumnModel"][];
        };
        ImportedNodeModel: {
            /** @description Whether this import created the node. */
            created: boolean;
            /** Format: uuid */
            id: string;
            name: string;
        };
        ImportedSeriesModel: {
            /** @example pdcsap_flux */
            field: string;
            /** @description Series id (digits). */
            id: string;
            /** @description Points at new timestamps (accounted as a movement). */
            newPoints: number;
            /** @description Points written. */
            points: number;
        };
        IngestEndpointsModel: {
            /** @description Host of the fluentd forward protocol server. */
            forwardHost: string;
            /**
             * @description Port of the fluentd forward protocol server.
             * @example 24224
             */
            forwardPort: number;
            /**
             * @description InfluxDB-compatible HTTP: POST /api/v2/write (2.x) and /write (1.x).
             * @example http://localhost:8086
             */
            httpUrl: string;
        };
        InverterIdentityModel: {
            /** @description Share of inverter-days on which the lifetime counter grows by exactly the day's DAILY_YIELD (evidence of the reconstruction). */
            dailyYieldAgreement: number;
            /** @enum {string} */
            method: "source-key" | "total-yield";
        };
        InvitationLookupModel: {
            /** @description Whether the address has an account already (then: its password). */
            accountExists: boolean;
            email: string;
            /** Format: date-time */
            expiresAt: string;
            nodeName: string;
            /** @enum {string} */
            role: "owner" | "admin" | "operator" | "analyst" | "billing" | "viewer";
        };
        InvitationModel: {
            /** Format: date-time */
            createdAt: string;
            email: string;
            /** Format: date-time */
            expiresAt: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            nodeId: string;
            nodeName: string;
            /** @enum {string} */
            role: "owner" | "admin" | "operator" | "analyst" | "billing" | "viewer";
        };
        InviteInput: {
            /** Format: email */
            email: string;
            /** @default 7 */
            expiresInDays: number;
            /** @enum {string} */
            role: "owner" | "admin" | "operator" | "analyst" | "billing" | "viewer";
        };
        InvoiceConnection: {
            items: components["schemas"]["InvoiceModel"][];
            nextCursor: string | null;
        };
        InvoiceDetailModel: {
            /**
             * Format: uuid
             * @description A credit note's invoice.
             */
            correctsId: string | null;
            /** Format: date-time */
            createdAt: string;
            currency: string;
            /** Format: date-time */
            dueAt: string | null;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            issuedAt: string | null;
            /** @enum {string} */
            kind: "invoice" | "credit_note";
            lines: components["schemas"]["InvoiceLineModel"][];
            /** @description Null on a draft. */
            number: string | null;
            /** Format: uuid */
            organisationId: string;
            organisationName: string;
            /** Format: date-time */
            paidAt: string | null;
            /** @description SHA-256 of the PDF as issued (finalised documents). */
            pdfSha256: string | null;
            /** Format: date-time */
            periodEnd: string;
            /** Format: date-time */
            periodStart: string;
            /** @enum {string} */
            state: "draft" | "finalised" | "paid" | "void";
            /** Format: uuid */
            subscriptionId: string | null;
            /** @example 150.00 */
            subtotal: string;
            tax: string;
            taxRate: string;
            total: string;
            /** Format: date-time */
            voidedAt: string | null;
            voidReason: string | null;
        };
        InvoiceLineModel: {
            /**
             * Format: uuid
             * @description The finalised invoice an adjustment or credit corrects.
             */
            adjustsId: string | null;
            amount: string;
            description: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "fixed_fee" | "usage" | "adjustment" | "credit";
            /** Format: uuid */
            metricId: string | null;
            /** Format: date-time */
            periodEnd: string;
            /** Format: date-time */
            periodStart: string;
            position: number;
            quantity: string | null;
            tiers: components["schemas"]["AppliedTierModel"][];
            unit: string | null;
            unitPrice: string | null;
        };
        InvoiceModel: {
            /**
             * Format: uuid
             * @description A credit note's invoice.
             */
            correctsId: string | null;
            /** Format: date-time */
            createdAt: string;
            currency: string;
            /** Format: date-time */
            dueAt: string | null;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            issuedAt: string | null;
            /** @enum {string} */
            kind: "invoice" | "credit_note";
            /** @description Null on a draft. */
            number: string | null;
            /** Format: uuid */
            organisationId: string;
            organisationName: string;
            /** Format: date-time */
            paidAt: string | null;
            /** @description SHA-256 of the PDF as issued (finalised documents). */
            pdfSha256: string | null;
            /** Format: date-time */
            periodEnd: string;
            /** Format: date-time */
            periodStart: string;
            /** @enum {string} */
            state: "draft" | "finalised" | "paid" | "void";
            /** Format: uuid */
            subscriptionId: string | null;
            /** @example 150.00 */
            subtotal: string;
            tax: string;
            taxRate: string;
            total: string;
            /** Format: date-time */
            voidedAt: string | null;
            voidReason: string | null;
        };
        ItemConnection: {
            items: components["schemas"]["ItemModel"][];
            nextCursor: string | null;
        };
        ItemModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "sensor" | "data_set" | "licence" | "model" | "candidate" | "maintenance_order" | "other" | "alert" | "report";
            metadata: {
                [key: string]: unknown;
            };
            name: string;
            /** Format: uuid */
            ownerId: string;
            reference: string;
            /** Format: date-time */
            updatedAt: string;
        };
        JobLineageInputModel: {
            /** Format: uuid */
            movementId: string | null;
            /** Format: uuid */
            nodeId: string | null;
            points: number;
            resourceReference: string | null;
            seriesId: string | null;
            seriesKey: string | null;
            /** Format: date-time */
            start: string | null;
            /** Format: date-time */
            stop: string | null;
            /** Format: uuid */
            taskId: string;
            taskKey: string;
        };
        JobLineageModel: {
            inputs: components["schemas"]["JobLineageInputModel"][];
            movements: components["schemas"]["JobLineageMovementModel"][];
            outputs: components["schemas"]["JobLineageOutputModel"][];
            /** @description True when a list was cut at its first 5000 rows. */
            truncated: boolean;
        };
        JobLineageMovementModel: {
            /** Format: uuid */
            destinationId: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            itemId: string | null;
            /** @example 240.000000 */
            quantity: string;
            /** @example job.result */
            resourceReference: string;
            /** Format: uuid */
            sourceId: string;
            /** Format: date-time */
            start: string;
            /** Format: date-time */
            stop: string;
            unitPrice: string | null;
        };
        JobLineageOutputModel: {
            /** Format: uuid */
            itemId: string | null;
            itemKind: string | null;
            itemName: string | null;
            itemReference: string | null;
            /** Format: uuid */
            movementId: string | null;
            /** Format: uuid */
            ownerId: string | null;
            /** Format: uuid */
            taskId: string;
            taskKey: string;
        };
        JobLogModel: {
            /** Format: date-time */
            at: string;
            attempt: number | null;
            data: {
                [key: string]: unknown;
            } | null;
            /** @example 1042 */
            id: string;
            /** @enum {string} */
            level: "debug" | "info" | "warn" | "error";
            message: string;
            /** Format: uuid */
            taskId: string | null;
            taskKey: string | null;
            /** @description The worker process (host:pid); platform administrators only. */
            worker: string | null;
        };
        JobLogPageModel: {
            items: components["schemas"]["JobLogModel"][];
            last: string | null;
        };
        JobParameterModel: {
            default: (string | number | boolean) | null;
            description: string | null;
            itemKinds: string[] | null;
            maximum: number | null;
            minimum: number | null;
            name: string;
            nodeKinds: string[] | null;
            required: boolean;
            title: string;
            /** @enum {string} */
            type: "string" | "number" | "integer" | "boolean" | "datetime" | "node" | "item" | "enum";
            values: string[] | null;
        };
        JobRunConnection: {
            items: components["schemas"]["JobRunModel"][];
            nextCursor: string | null;
        };
        JobRunDetailModel: {
            /** Format: date-time */
            createdAt: string;
            error: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            /** Format: uuid */
            id: string;
            options: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            ownerId: string;
            params: {
                [key: string]: unknown;
            };
            priority: number;
            progress: number;
            result: Record<string, never> | null;
            retries: number;
            /** Format: date-time */
            scheduledFor: string | null;
            /** Format: uuid */
            scheduleId: string | null;
            /** Format: date-time */
            startedAt: string | null;
            /** @enum {string} */
            state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
            taskCounts: components["schemas"]["JobTaskCountsModel"];
            tasks: components["schemas"]["JobTaskModel"][];
            /** @example series-health */
            type: string;
        };
        JobRunModel: {
            /** Format: date-time */
            createdAt: string;
            error: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            /** Format: uuid */
            id: string;
            options: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            ownerId: string;
            params: {
                [key: string]: unknown;
            };
            priority: number;
            progress: number;
            result: Record<string, never> | null;
            retries: number;
            /** Format: date-time */
            scheduledFor: string | null;
            /** Format: uuid */
            scheduleId: string | null;
            /** Format: date-time */
            startedAt: string | null;
            /** @enum {string} */
            state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
            taskCounts: components["schemas"]["JobTaskCountsModel"];
            /** @example series-health */
            type: string;
        };
        JobScheduleModel: {
            /** Format: date-time */
            createdAt: string;
            /** @example 0 3 * * * */
            cron: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            lastRunAt: string | null;
            /** Format: uuid */
            lastRunId: string | null;
            /** @enum {string|null} */
            lastRunState: "queued" | "running" | "succeeded" | "failed" | "cancelled" | null;
            name: string;
            /** Format: date-time */
            nextRunAt: string;
            /** Format: uuid */
            ownerId: string;
            params: {
                [key: string]: unknown;
            };
            priority: number;
            /** @enum {string} */
            state: "active" | "paused";
            /** @example UTC */
            timezone: string;
            type: string;
        };
        JobStepModel: {
            backoffSeconds: number;
            dependsOn: string[];
            fanOut: boolean;
            maxAttempts: number;
            name: string;
            timeoutSeconds: number;
        };
        JobTaskCountsModel: {
            cancelled: number;
            failed: number;
            pending: number;
            queued: number;
            running: number;
            succeeded: number;
            total: number;
        };
        JobTaskModel: {
            attempt: number;
            attemptLimit: number;
            dependsOn: string[];
            error: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            /** Format: uuid */
            id: string;
            input: Record<string, never> | null;
            /** @example scan[3] */
            key: string;
            message: string | null;
            /** Format: uuid */
            parentId: string | null;
            position: number | null;
            progress: number;
            result: Record<string, never> | null;
            /** Format: date-time */
            runAfter: string | null;
            /** Format: date-time */
            startedAt: string | null;
            /** @enum {string} */
            state: "pending" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
            step: string;
            timeoutSeconds: number;
            /** Format: uuid */
            workerId: string | null;
        };
        JobTypeModel: {
            description: string;
            /** @example series-health */
            name: string;
            parameters: components["schemas"]["JobParameterModel"][];
            steps: components["schemas"]["JobStepModel"][];
            title: string;
        };
        JobWorkerModel: {
            concurrency: number;
            /** Format: date-time */
            heartbeatAt: string;
            /** @description Platform administrators only. */
            host: string | null;
            /** Format: uuid */
            id: string;
            /** @description Platform administrators only. */
            pid: number | null;
            running: number;
            /** Format: date-time */
            startedAt: string;
            /** Format: date-time */
            stoppedAt: string | null;
            stopReason: string | null;
            types: string[];
        };
        KoiMatchModel: {
            catalogPeriod: number;
            /** @example CONFIRMED */
            disposition: string;
            epochOffsetHours: number;
            /** @description Candidate period / catalogue period (1, 0.5 or 2). */
            harmonic: number;
            /** @example Kepler-2 b */
            keplerName: string;
            /** @example K00002.01 */
            kepoiName: string;
            periodError: number;
        };
        LastPointModel: {
            series: components["schemas"]["SeriesModel"];
            time: string;
            value: number | string | boolean;
        };
        LightCurveImportModel: {
            /** @description Whether the import created the star node. */
            createdStar: boolean;
            /** @description What the file says: catalogue id, mission, time reference, rows kept. */
            meta: {
                [key: string]: unknown;
            };
            series: components["schemas"]["ImportedSeriesModel"][];
            /** Format: uuid */
            starId: string;
            /** @example KIC 10666592 */
            starName: string;
        };
        MachineLifeModel: {
            activeOrders: number;
            estimate: components["schemas"]["EstimateModel"] | null;
            /** @enum {string|null} */
            highestPriority: "low" | "medium" | "high" | "critical" | null;
            name: string;
            /** Format: uuid */
            nodeId: string;
            openAlerts: number;
            /** Format: uuid */
            parentId: string | null;
            reference: string;
        };
        MaintenanceTicketConnection: {
            items: components["schemas"]["TicketModel"][];
            nextCursor: string | null;
        };
        MemberModel: {
            /** Format: date-time */
            createdAt: string;
            email: string;
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: uuid */
            nodeId: string;
            nodeName: string;
            nodeReference: string;
            /** @enum {string} */
            role: "owner" | "admin" | "operator" | "analyst" | "billing" | "viewer";
            /** Format: uuid */
            userId: string;
        };
        MembershipViewModel: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            nodeId: string;
            nodeKind: string;
            nodeName: string;
            nodeReference: string;
            /** @enum {string} */
            role: "owner" | "admin" | "operator" | "analyst" | "billing" | "viewer";
        };
        MeModel: {
            csrfToken?: string | null;
            email: string;
            emailVerified: boolean;
            /** Format: uuid */
            id: string;
            memberships: components["schemas"]["MembershipViewModel"][];
            name: string;
            /** @description Operates the platform: catalogue, organisations, everything. */
            platformAdmin: boolean;
        };
        MetricUsageModel: {
            amount: string;
            code: string;
            forecastAmount: string;
            forecastQuantity: string;
            included: string;
            /** Format: uuid */
            metricId: string;
            name: string;
            quantity: string;
            quota: string | null;
            /**
             * Format: date-time
             * @description Watermark: when the rollups of this metric last moved.
             */
            rolledAt: string | null;
            series: components["schemas"]["UsagePointModel"][];
            unit: string;
        };
        MonthlyReportModel: {
            currencies: components["schemas"]["CurrencyReportModel"][];
            /** Format: date-time */
            generatedAt: string;
            issuer: components["schemas"]["PartyModel"];
            /** @example 2026-11 */
            month: string;
        };
        MovementConnection: {
            items: components["schemas"]["MovementModel"][];
            nextCursor: string | null;
        };
        MovementModel: {
            /** Format: uuid */
            correctsId: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            destinationId: string;
            externalId: string | null;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            itemId: string | null;
            /** @enum {string} */
            origin: "ingest" | "cdc" | "analysis" | "manual" | "job" | "metering";
            /** Format: uuid */
            pathId: string | null;
            /** @example 86400 */
            quantity: string;
            /** Format: uuid */
            resourceId: string;
            /** Format: uuid */
            sourceId: string;
            /** Format: date-time */
            start: string;
            /** Format: date-time */
            stop: string;
            unitPrice: string | null;
        };
        MovementSummary: {
            /** Format: uuid */
            nodeId: string;
            rows: components["schemas"]["MovementSummaryRow"][];
            /** @description True when the rows were cut (narrow the window for the rest). */
            truncated: boolean;
        };
        MovementSummaryRow: {
            amount: string | null;
            /** @example 2026-11-21 */
            day: string;
            movements: number;
            quantity: string;
            /** Format: uuid */
            resourceId: string;
            resourceReference: string;
            unit: string;
        };
        NodeConnection: {
            items: components["schemas"]["NodeModel"][];
            nextCursor: string | null;
        };
        NodeList: {
            items: components["schemas"]["NodeModel"][];
        };
        NodeModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "organisation" | "site" | "machine" | "sensor_host" | "sensor" | "database" | "person" | "telescope" | "vehicle" | "star" | "other";
            metadata: {
                [key: string]: unknown;
            };
            name: string;
            /** Format: uuid */
            parentId: string | null;
            reference: string;
            /** Format: date-time */
            updatedAt: string;
        };
        OrganisationReportRowModel: {
            credited: string;
            invoiced: string;
            key: string;
            label: string;
            net: string;
            paid: string;
            previousNet: string;
        };
        PartyModel: {
            address: string[];
            email: string | null;
            name: string;
            taxId: string | null;
        };
        PathConnection: {
            items: components["schemas"]["PathModel"][];
            nextCursor: string | null;
        };
        PathEventConnection: {
            items: components["schemas"]["PathEventModel"][];
            nextCursor: string | null;
        };
        PathEventModel: {
            /**
             * Format: date-time
             * @description When the gateway stored it.
             */
            createdAt: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            pathId: string;
            record: {
                [key: string]: unknown;
            };
            /** @description The tag the record arrived under (fluentd forward). */
            tag: string;
            /**
             * Format: date-time
             * @description The record’s time, to the millisecond.
             */
            time: string;
            /** @description The record’s time in nanoseconds since the epoch, exact (decimal). */
            timeNs: string;
        };
        PathIngestStatusModel: {
            /** @description Why the latest refused line was refused. */
            lastError: string | null;
            /** Format: date-time */
            lastErrorAt: string | null;
            /**
             * Format: date-time
             * @description Latest write through the path, good or bad.
             */
            lastSeenAt: string | null;
            /** Format: uuid */
            pathId: string;
            /** @description Points stored through the path (all gateways). */
            points: number;
            /** @description Points stored per second, averaged over the last 60 seconds. */
            pointsPerSecond: number;
            /** @description Lines (or records) refused, in all. */
            rejectedLines: number;
            /**
             * Format: date-time
             * @description When a gateway last reported on the path; null: never.
             */
            updatedAt: string | null;
        };
        PathModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            destinationId: string;
            /** Format: uuid */
            id: string;
            mapping: {
                [key: string]: unknown;
            };
            name: string;
            /** @enum {string} */
            protocol: "line" | "forward" | "http" | "mqtt" | "cdc" | "file";
            settings: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            sourceId: string;
            /** @enum {string} */
            state: "active" | "paused" | "revoked";
            /** Format: date-time */
            updatedAt: string;
        };
        PathTokenModel: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            lastUsedAt: string | null;
            name: string;
            /** Format: uuid */
            pathId: string;
            /** @description The first characters of the token, to recognise it. */
            prefix: string;
            /** Format: date-time */
            revokedAt: string | null;
        };
        PayInput: {
            /**
             * Format: date-time
             * @description Default: now.
             */
            paidAt?: string;
        };
        PeriodogramChartModel: {
            /** @description Trial periods, days. */
            period: number[];
            /** @description BLS power (log likelihood). */
            power: number[];
        };
        PlanChargeModel: {
            capAmount: string | null;
            /** Format: uuid */
            id: string;
            includedQuantity: string;
            metricCode: string;
            /** Format: uuid */
            metricId: string;
            minimumAmount: string | null;
            /** @enum {string} */
            model: "per_unit" | "graduated" | "volume" | "package";
            packagePrice: string | null;
            packageSize: string | null;
            quota: string | null;
            tiers: components["schemas"]["TierModel"][];
            unitPrice: string | null;
        };
        PlanDetailModel: {
            /** Format: date-time */
            archivedAt: string | null;
            code: string;
            /** Format: date-time */
            createdAt: string;
            currency: string;
            description: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            interval: "month" | "year";
            name: string;
            versions: components["schemas"]["PlanVersionModel"][];
        };
        PlanModel: {
            /** Format: date-time */
            archivedAt: string | null;
            code: string;
            /** Format: date-time */
            createdAt: string;
            currency: string;
            description: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            interval: "month" | "year";
            name: string;
        };
        PlanVersionModel: {
            charges: components["schemas"]["PlanChargeModel"][];
            /** Format: date-time */
            effectiveFrom: string;
            fixedFee: string | null;
            /** Format: uuid */
            id: string;
            note: string;
            /**
             * Format: uuid
             * @description Set on an override (listed to platform admins only).
             */
            organisationId: string | null;
        };
        PointModel: {
            /** @example 2026-11-21T10:00:00.000Z */
            time: string;
            value: number | string | boolean;
        };
        PointsPage: {
            nextCursor: string | null;
            points: components["schemas"]["PointModel"][];
            series: components["schemas"]["SeriesModel"];
        };
        QueryStatsModel: {
            chunks: number;
            chunksDecoded: number;
            /** @description Chunks taken whole from their per-grain segment summaries. */
            chunksFromSegments: number;
            chunksFromSummary: number;
            series: number;
        };
        RegisteredModel: {
            /** @description The address, as kept. The answer is the same whether or not it already had an account: a new account gets its confirmation link, an existing one an email saying someone tried. */
            email: string;
        };
        RegisterInput: {
            /** Format: email */
            email: string;
            name: string;
            /** @description Create this organisation with you as its owner (on a platform that allows it). */
            organisation?: string;
            /** @description 10 to 200 characters. */
            password: string;
        };
        ReplayDeadLettersInput: {
            ids?: string[];
        };
        ReportRowModel: {
            key: string;
            label: string;
            net: string;
            previousNet: string;
        };
        ResetPasswordInput: {
            password: string;
            /**
             * @description Also revoke your personal API tokens (whoever knew the old password may have made one).
             * @default true
             */
            revokeApiTokens: boolean;
            /** @description The token of the link. */
            token: string;
        };
        ResnapshotInput: {
            /**
             * @description schema.table, one of the source's tables.
             * @example public.orders
             */
            table: string;
        };
        ResourceConnection: {
            items: components["schemas"]["ResourceModel"][];
            nextCursor: string | null;
        };
        ResourceModel: {
            /** Format: date-time */
            createdAt: string;
            description: string;
            /** Format: uuid */
            id: string;
            name: string;
            reference: string;
            retentionDays: number | null;
            /** @example mm/s */
            unit: string;
            /** @example 0.0000100000 */
            unitPrice: string | null;
            /** Format: date-time */
            updatedAt: string;
            /** @enum {string} */
            valueType: "float" | "integer" | "unsigned" | "boolean" | "string";
        };
        SeriesConnection: {
            items: components["schemas"]["SeriesModel"][];
            nextCursor: string | null;
        };
        SeriesModel: {
            field: string;
            /** @example 42 */
            id: string;
            key: string;
            measurement: string;
            nodeId: string | null;
            resourceId: string | null;
            tags: {
                [key: string]: string;
            };
            /** @enum {string} */
            valueType: "float" | "integer" | "unsigned" | "boolean" | "string";
        };
        SignedInModel: {
            user: components["schemas"]["MeModel"];
        };
        SignInInput: {
            /** Format: email */
            email: string;
            password: string;
        };
        SolarGenerationImportModel: {
            from: string;
            identity: components["schemas"]["InverterIdentityModel"];
            inverters: components["schemas"]["ImportedInverterModel"][];
            plant: components["schemas"]["ImportedNodeModel"];
            /** @description The file's PLANT_ID. */
            plantId: string;
            rows: number;
            to: string;
        };
        SolarWeatherImportModel: {
            from: string;
            plant: components["schemas"]["ImportedNodeModel"];
            plantId: string;
            rows: number;
            sensor: components["schemas"]["ImportedNodeModel"];
            series: components["schemas"]["ImportedColumnModel"][];
            to: string;
        };
        StartRunInput: {
            /** @enum {string} */
            mode: "refresh" | "finalise";
            /** Format: uuid */
            organisationId: string;
        };
        SubmitJobRunInput: {
            /** @description Delay before a task's first retry (default: the job type's). */
            backoffSeconds?: number;
            /** @description Attempts per task (default: the job type's). */
            maxAttempts?: number;
            /**
             * Format: uuid
             * @description The node that owns the run: it gets the results and pays for them.
             */
            ownerId: string;
            /** @description Parameters, checked against the job type's schema. */
            params?: {
                [key: string]: unknown;
            };
            /** @description Higher runs first (default 0). */
            priority?: number;
            /** @description Each task's deadline (default: the job type's). */
            timeoutSeconds?: number;
            /**
             * @description The job type, e.g. series-health (GET /api/jobs/types).
             * @example series-health
             */
            type: string;
        };
        SubscribeInput: {
            /** @description Default: the start day. */
            anchorDay?: number;
            /** Format: uuid */
            planId: string;
            /**
             * Format: date-time
             * @description A day boundary (00:00 UTC).
             */
            startsAt: string;
            trialDays?: number;
        };
        SubscriptionModel: {
            anchorDay: number;
            anchorMonth: number;
            /** Format: date-time */
            cancelledAt: string | null;
            /** Format: date-time */
            endsAt: string | null;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            organisationId: string;
            planCode: string;
            /** Format: uuid */
            planId: string;
            planName: string;
            /**
             * Format: uuid
             * @description The subscription this one continues after a plan change.
             */
            previousId: string | null;
            /** Format: date-time */
            startsAt: string;
            trialDays: number;
        };
        SubtreeNodeList: {
            items: components["schemas"]["SubtreeNodeModel"][];
        };
        SubtreeNodeModel: {
            /** Format: date-time */
            createdAt: string;
            depth: number;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "organisation" | "site" | "machine" | "sensor_host" | "sensor" | "database" | "person" | "telescope" | "vehicle" | "star" | "other";
            metadata: {
                [key: string]: unknown;
            };
            name: string;
            /** Format: uuid */
            parentId: string | null;
            reference: string;
            /** Format: date-time */
            updatedAt: string;
        };
        TicketModel: {
            /** Format: uuid */
            alertId: string | null;
            /** Format: date-time */
            createdAt: string;
            description: string;
            /** Format: date-time */
            doneAt: string | null;
            /** Format: date-time */
            failureFrom: string | null;
            /** Format: date-time */
            failureTo: string | null;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "alert" | "maintenance_order";
            metadata: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            nodeId: string;
            nodeName: string;
            /** Format: date-time */
            plannedFor: string | null;
            /** @enum {string} */
            priority: "low" | "medium" | "high" | "critical";
            reference: string;
            /** Format: uuid */
            runId: string | null;
            /** @enum {string} */
            state: "open" | "planned" | "done";
            title: string;
            /** Format: date-time */
            updatedAt: string;
        };
        TicketStateInput: {
            /**
             * @description open -> planned -> done; planned -> open.
             * @enum {string}
             */
            state: "open" | "planned" | "done";
        };
        TierInput: {
            flatFee?: string;
            unitPrice: string;
            /** @description Inclusive upper bound; null on the last tier. */
            upTo?: string;
        };
        TierModel: {
            flatFee: string | null;
            unitPrice: string;
            /** @description Inclusive; null on the last tier. */
            upTo: string | null;
        };
        TokenInput: {
            /** @description The token of the link. */
            token: string;
        };
        TransitCandidateDetailModel: {
            /** Format: date-time */
            createdAt: string;
            depthPpm: number;
            durationHours: number;
            /** @description First mid-transit, days on the time scale of timeReference. */
            epoch: number;
            folded: components["schemas"]["FoldedCurveModel"];
            /**
             * Format: uuid
             * @description The item.
             */
            id: string;
            /** @description Matches a confirmed planet of the KOI catalogue at its period. */
            knownPlanet: boolean;
            koi: components["schemas"]["KoiMatchModel"] | null;
            name: string;
            /** @description Days. */
            period: number;
            periodogram: components["schemas"]["PeriodogramChartModel"];
            rank: number;
            /**
             * Format: uuid
             * @description The transit-search run that found it.
             */
            runId: string;
            /** @description Signal detection efficiency: (peak − mean) / σ of the power. */
            sde: number;
            /** @description The same with median and MAD: what the threshold applies to. */
            sdeRobust: number;
            snr: number;
            /** Format: uuid */
            starId: string;
            /** @example BJD-2454833 */
            timeReference: string;
            transits: number;
        };
        TransitCandidateListModel: {
            items: components["schemas"]["TransitCandidateModel"][];
        };
        TransitCandidateModel: {
            /** Format: date-time */
            createdAt: string;
            depthPpm: number;
            durationHours: number;
            /** @description First mid-transit, days on the time scale of timeReference. */
            epoch: number;
            /**
             * Format: uuid
             * @description The item.
             */
            id: string;
            /** @description Matches a confirmed planet of the KOI catalogue at its period. */
            knownPlanet: boolean;
            koi: components["schemas"]["KoiMatchModel"] | null;
            name: string;
            /** @description Days. */
            period: number;
            rank: number;
            /**
             * Format: uuid
             * @description The transit-search run that found it.
             */
            runId: string;
            /** @description Signal detection efficiency: (peak − mean) / σ of the power. */
            sde: number;
            /** @description The same with median and MAD: what the threshold applies to. */
            sdeRobust: number;
            snr: number;
            /** Format: uuid */
            starId: string;
            /** @example BJD-2454833 */
            timeReference: string;
            transits: number;
        };
        TransitSearchInput: {
            /** @description Running-median window of the detrending, days. */
            detrendWindowDays?: number;
            /** @description Trial durations in hours, e.g. "1,2,3". */
            durationsHours?: string;
            /** @description Longest trial period, days (default: half the data). */
            maxPeriod?: number;
            /** @description Most candidates (rounds of search), default 3. */
            maxPlanets?: number;
            /** @description Shortest trial period, days (default 0.5). */
            minPeriod?: number;
        };
        TransitSearchSubmittedModel: {
            /**
             * Format: uuid
             * @description The run (GET /api/jobs/runs/{id}).
             */
            runId: string;
            /** @example queued */
            state: string;
        };
        UpdateAccountInput: {
            /** @description Address lines. */
            address?: string[];
            email?: string;
            /** @description Days (platform admins). */
            graceDays?: number;
            legalName?: string;
            taxId?: string;
            /** @description A fraction: 0.2 is 20 % (platform admins). */
            taxRate?: string;
        };
        UpdateItemInput: {
            /** @enum {string} */
            kind?: "sensor" | "data_set" | "licence" | "model" | "candidate" | "maintenance_order" | "other" | "alert" | "report";
            metadata?: {
                [key: string]: unknown;
            };
            name?: string;
            /**
             * Format: uuid
             * @description The node that owns the item.
             */
            ownerId?: string;
            reference?: string;
        };
        UpdateMeInput: {
            name: string;
        };
        UpdateMetricInput: {
            /** @description Archived metrics are no longer rolled up. */
            archived?: boolean;
            description?: string;
            name?: string;
        };
        UpdateNodeInput: {
            /** @enum {string} */
            kind?: "organisation" | "site" | "machine" | "sensor_host" | "sensor" | "database" | "person" | "telescope" | "vehicle" | "star" | "other";
            metadata?: {
                [key: string]: unknown;
            };
            name?: string;
            /** Format: uuid */
            parentId?: string | null;
            reference?: string;
        };
        UpdatePathInput: {
            /** Format: uuid */
            destinationId?: string;
            /** @description Resource mapping rules. */
            mapping?: {
                [key: string]: unknown;
            };
            name?: string;
            /** @enum {string} */
            protocol?: "line" | "forward" | "http" | "mqtt" | "cdc" | "file";
            settings?: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            sourceId?: string;
            /**
             * @description Default: active.
             * @enum {string}
             */
            state?: "active" | "paused" | "revoked";
        };
        UpdateResourceInput: {
            description?: string;
            name?: string;
            /** @description Unique, e.g. vibration.rms. */
            reference?: string;
            /** @description Days of data kept; absent keeps everything. */
            retentionDays?: number;
            unit?: string;
            /** @example 0.00001 */
            unitPrice?: string;
            /** @enum {string} */
            valueType?: "float" | "integer" | "unsigned" | "boolean" | "string";
        };
        UpdateTicketInput: {
            description?: string;
            /** Format: date-time */
            failureFrom?: string;
            /** Format: date-time */
            failureTo?: string;
            metadata?: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description Orders: when the work is planned.
             */
            plannedFor?: string;
            /** @enum {string} */
            priority?: "low" | "medium" | "high" | "critical";
            title?: string;
        };
        UsageModel: {
            amount: string;
            /** Format: date-time */
            at: string;
            currency: string;
            /** @enum {string} */
            every: "hour" | "day";
            fixedFee: string;
            forecastAmount: string;
            metrics: components["schemas"]["MetricUsageModel"][];
            /** Format: uuid */
            organisationId: string;
            /** Format: date-time */
            periodEnd: string;
            /** Format: date-time */
            periodStart: string;
            /** Format: uuid */
            subscriptionId: string;
        };
        UsagePointModel: {
            /** Format: date-time */
            at: string;
            quantity: string;
        };
        VoidInput: {
            reason: string;
        };
        WindScadaImportModel: {
            /** @description First row's time (the file's local times read as UTC). */
            from: string;
            rows: number;
            series: components["schemas"]["ImportedColumnModel"][];
            to: string;
            turbine: components["schemas"]["ImportedNodeModel"];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    AlertsController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                /** @description On this node or a node under it. */
                nodeId?: string;
                priority?: "low" | "medium" | "high" | "critical";
                state?: "open" | "planned" | "done";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MaintenanceTicketConnection"];
                };
            };
        };
    };
    AlertsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateAlertInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    AlertsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    AlertsController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateTicketInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    AlertsController_setState: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TicketStateInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    AuditController_list: {
        parameters: {
            query?: {
                action?: string;
                /** @description Events done by this user. */
                actorId?: string;
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Events at or after this time. */
                from?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                /** @description Events about this node and the nodes under it. */
                nodeId?: string;
                outcome?: "success" | "failure";
                /** @description Events before this time. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventConnection"];
                };
            };
        };
    };
    AuthController_can: {
        parameters: {
            query: {
                action: "node.read" | "node.manage" | "path.read" | "path.manage" | "item.read" | "item.manage" | "series.read" | "movement.read" | "movement.create" | "cdc.read" | "cdc.manage" | "member.read" | "member.manage" | "member.grant-owner" | "audit.read" | "job.read" | "job.manage" | "alert.read" | "alert.manage" | "maintenance.read" | "maintenance.manage" | "annotation.read" | "annotation.manage" | "billing.read" | "billing.manage" | "catalogue.read" | "catalogue.manage" | "organisation.create" | "metric.read" | "plan.read" | "plan.manage" | "billing.report" | "account.manage" | "ingest.write" | "series.write";
                id: string;
                kind: "node" | "path" | "item" | "movement" | "cdc" | "membership" | "invitation" | "job" | "schedule" | "alert" | "order";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CanModel"];
                };
            };
        };
    };
    AuthController_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeModel"];
                };
            };
        };
    };
    AuthController_rename: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateMeInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeModel"];
                };
            };
        };
    };
    AuthController_changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePasswordInput"];
            };
        };
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_reset: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetPasswordInput"];
            };
        };
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_requestReset: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmailInput"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterInput"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegisteredModel"];
                };
            };
        };
    };
    AuthController_resend: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmailInput"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_signIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignInInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedInModel"];
                };
            };
        };
    };
    AuthController_signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_tokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiTokenModel"][];
                };
            };
        };
    };
    AuthController_createToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateApiTokenInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiTokenModel"];
                };
            };
        };
    };
    AuthController_revokeToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiTokenModel"];
                };
            };
        };
    };
    AuthController_verifyEmail: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    BillingController_deleteBudget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetModel"];
                };
            };
        };
    };
    BillingController_invoices: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                kind?: "invoice" | "credit_note";
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                organisationId?: string;
                state?: "draft" | "finalised" | "paid" | "void";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvoiceConnection"];
                };
            };
        };
    };
    BillingController_invoicesCsv: {
        parameters: {
            query?: {
                /** @description Periods starting at or after this time. */
                from?: string;
                organisationId?: string;
                /** @description Periods starting before this time. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
        };
    };
    BillingController_invoice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvoiceDetailModel"];
                };
            };
        };
    };
    BillingController_lineMovements: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
                lineId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementConnection"];
                };
            };
        };
    };
    BillingController_pay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PayInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvoiceDetailModel"];
                };
            };
        };
    };
    BillingController_pdf: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": string;
                };
            };
        };
    };
    BillingController_void: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VoidInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvoiceDetailModel"];
                };
            };
        };
    };
    BillingController_metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingMetricModel"][];
                };
            };
        };
    };
    BillingController_createMetric: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateMetricInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingMetricModel"];
                };
            };
        };
    };
    BillingController_updateMetric: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateMetricInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingMetricModel"];
                };
            };
        };
    };
    BillingController_account: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingAccountModel"];
                };
            };
        };
    };
    BillingController_updateAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateAccountInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingAccountModel"];
                };
            };
        };
    };
    BillingController_budgets: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetModel"][];
                };
            };
        };
    };
    BillingController_createBudget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateBudgetInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetModel"];
                };
            };
        };
    };
    BillingController_subscriptions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionModel"][];
                };
            };
        };
    };
    BillingController_subscribe: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubscribeInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionModel"];
                };
            };
        };
    };
    BillingController_usage: {
        parameters: {
            query?: {
                /** @description Default: day. */
                every?: "hour" | "day";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageModel"];
                };
            };
        };
    };
    BillingController_plans: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanModel"][];
                };
            };
        };
    };
    BillingController_createPlan: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreatePlanInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanDetailModel"];
                };
            };
        };
    };
    BillingController_plan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanDetailModel"];
                };
            };
        };
    };
    BillingController_addVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddPlanVersionInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanDetailModel"];
                };
            };
        };
    };
    BillingController_report: {
        parameters: {
            query: {
                month: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MonthlyReportModel"];
                };
            };
        };
    };
    BillingController_reportCsv: {
        parameters: {
            query: {
                month: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
        };
    };
    BillingController_reportPdf: {
        parameters: {
            query: {
                month: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": string;
                };
            };
        };
    };
    BillingController_startRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartRunInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobRunDetailModel"];
                };
            };
        };
    };
    BillingController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CancelInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionModel"];
                };
            };
        };
    };
    BillingController_changePlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePlanInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionModel"];
                };
            };
        };
    };
    BillingController_usageCsv: {
        parameters: {
            query?: {
                /** @description Periods starting at or after this time. */
                from?: string;
                organisationId?: string;
                /** @description Periods starting before this time. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
        };
    };
    CdcSourcesController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcSourceModel"][];
                };
            };
        };
    };
    CdcSourcesController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateCdcSourceInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcSourceModel"];
                };
            };
        };
    };
    CdcSourcesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcSourceModel"];
                };
            };
        };
    };
    CdcSourcesController_drop: {
        parameters: {
            query?: {
                /** @description Also drop the mirror schema lake_<name>. */
                dropMirror?: "true" | "false";
                /** @description Forget the source even if its slot cannot be dropped (it then keeps pinning WAL on the source). */
                force?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcDropResultModel"];
                };
            };
        };
    };
    CdcSourcesController_commands: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcCommandModel"][];
                };
            };
        };
    };
    CdcSourcesController_deadLetters: {
        parameters: {
            query?: {
                /** @description Include dead letters already replayed. */
                includeReplayed?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcDeadLetterModel"][];
                };
            };
        };
    };
    CdcSourcesController_replay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplayDeadLettersInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcReplayResultModel"];
                };
            };
        };
    };
    CdcSourcesController_lag: {
        parameters: {
            query?: {
                /** @description Minutes back from now (default 60, at most 1440). */
                minutes?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcLagSampleModel"][];
                };
            };
        };
    };
    CdcSourcesController_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcSourceModel"];
                };
            };
        };
    };
    CdcSourcesController_resnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResnapshotInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcCommandModel"];
                };
            };
        };
    };
    CdcSourcesController_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CdcSourceModel"];
                };
            };
        };
    };
    HealthController_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ImportsController_cmapss: {
        parameters: {
            query?: {
                /** @description Hours per cycle (default 8). */
                cycleHours?: number;
                /** @description When cycle 1 happened (default: 2025-01-01 for run-to-failure engines; for in-service ones, so that the last cycle is today 00:00 UTC). An engine imported before keeps its dating. */
                firstCycleAt?: string;
                /** @description Fleet name, part of the engines' names (default FD001). */
                fleet?: string;
                /** @description run-to-failure (train_FD00x: each engine runs until it fails; rul-train learns from them) or in-service (histories cut before failure; rul-predict estimates them). Default run-to-failure. */
                history?: "run-to-failure" | "in-service";
            };
            header?: never;
            path: {
                parentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
                "text/csv": string;
                "text/plain": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CmapssImportModel"];
                };
            };
        };
    };
    ImportsController_solarGeneration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                parentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
                "text/csv": string;
                "text/plain": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SolarGenerationImportModel"];
                };
            };
        };
    };
    ImportsController_solarWeather: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                parentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
                "text/csv": string;
                "text/plain": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SolarWeatherImportModel"];
                };
            };
        };
    };
    ImportsController_windScada: {
        parameters: {
            query?: {
                /** @description The turbine's name, unique under the parent (default T1). */
                turbine?: string;
            };
            header?: never;
            path: {
                parentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
                "text/csv": string;
                "text/plain": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WindScadaImportModel"];
                };
            };
        };
    };
    IngestEndpointsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IngestEndpointsModel"];
                };
            };
        };
    };
    MembersController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationModel"];
                };
            };
        };
    };
    MembersController_accept: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AcceptInvitationInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedInModel"];
                };
            };
        };
    };
    MembersController_lookup: {
        parameters: {
            query: {
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationLookupModel"];
                };
            };
        };
    };
    ItemsController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                kind?: "sensor" | "data_set" | "licence" | "model" | "candidate" | "maintenance_order" | "other" | "alert" | "report";
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                ownerId?: string;
                /** @description Text contained in name or reference. */
                q?: string;
                /** @description Sort field, `-` prefix for descending. */
                sort?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemConnection"];
                };
            };
        };
    };
    ItemsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateItemInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemModel"];
                };
            };
        };
    };
    ItemsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemModel"];
                };
            };
        };
    };
    ItemsController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ItemsController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateItemInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemModel"];
                };
            };
        };
    };
    ItemsController_content: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                    "application/octet-stream": string;
                };
            };
        };
    };
    JobsController_runs: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                ownerId?: string;
                scheduleId?: string;
                state?: "queued" | "running" | "succeeded" | "failed" | "cancelled";
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobRunConnection"];
                };
            };
        };
    };
    JobsController_submit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubmitJobRunInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobRunDetailModel"];
                };
            };
        };
    };
    JobsController_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobRunDetailModel"];
                };
            };
        };
    };
    JobsController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobRunDetailModel"];
                };
            };
        };
    };
    JobsController_lineage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobLineageModel"];
                };
            };
        };
    };
    JobsController_logs: {
        parameters: {
            query?: {
                /** @description Only lines after this id (for live tails). */
                after?: string;
                /** @description Lines, 1-1000 (default 200). */
                limit?: number;
                /** @description Lines of this task only. */
                taskId?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobLogPageModel"];
                };
            };
        };
    };
    JobsController_retry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobRunDetailModel"];
                };
            };
        };
    };
    JobsController_schedules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobScheduleModel"][];
                };
            };
        };
    };
    JobsController_createSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateJobScheduleInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobScheduleModel"];
                };
            };
        };
    };
    JobsController_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobScheduleModel"];
                };
            };
        };
    };
    JobsController_deleteSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    JobsController_pauseSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobScheduleModel"];
                };
            };
        };
    };
    JobsController_resumeSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobScheduleModel"];
                };
            };
        };
    };
    JobsController_types: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobTypeModel"][];
                };
            };
        };
    };
    JobsController_type: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobTypeModel"];
                };
            };
        };
    };
    JobsController_workers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobWorkerModel"][];
                };
            };
        };
    };
    LightCurvesController_import: {
        parameters: {
            query: {
                /** @description The star's name (default: the file's OBJECT card). */
                name?: string;
                /** @description The node the star goes under (an observatory). */
                parentId: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LightCurveImportModel"];
                };
            };
        };
    };
    LightCurvesController_candidate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransitCandidateDetailModel"];
                };
            };
        };
    };
    LightCurvesController_candidates: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransitCandidateListModel"];
                };
            };
        };
    };
    LightCurvesController_search: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TransitSearchInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransitSearchSubmittedModel"];
                };
            };
        };
    };
    MaintenanceOrdersController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                /** @description On this node or a node under it. */
                nodeId?: string;
                priority?: "low" | "medium" | "high" | "critical";
                state?: "open" | "planned" | "done";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MaintenanceTicketConnection"];
                };
            };
        };
    };
    MaintenanceOrdersController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateMaintenanceOrderInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    MaintenanceOrdersController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    MaintenanceOrdersController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateTicketInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    MaintenanceOrdersController_setState: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TicketStateInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketModel"];
                };
            };
        };
    };
    MembersController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemberModel"];
                };
            };
        };
    };
    MembersController_changeRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangeRoleInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemberModel"];
                };
            };
        };
    };
    MovementsController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Movements starting at or after this time. */
                from?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                nodeId?: string;
                /** @description With nodeId: source, destination or either (default). */
                nodeRole?: "source" | "destination" | "either";
                origin?: "ingest" | "cdc" | "analysis" | "manual" | "job" | "metering";
                pathId?: string;
                /** @description Text contained in name or reference. */
                q?: string;
                resourceId?: string;
                /** @description Sort field, `-` prefix for descending. */
                sort?: string;
                /** @description Movements starting before this time. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementConnection"];
                };
            };
        };
    };
    MovementsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateMovementInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementModel"];
                };
            };
        };
    };
    MovementsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementModel"];
                };
            };
        };
    };
    NodesController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                kind?: "organisation" | "site" | "machine" | "sensor_host" | "sensor" | "database" | "person" | "telescope" | "vehicle" | "star" | "other";
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                parentId?: string;
                /** @description Text contained in name or reference. */
                q?: string;
                /** @description Only nodes without a parent. */
                root?: boolean;
                /** @description Sort field, `-` prefix for descending. */
                sort?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeConnection"];
                };
            };
        };
    };
    NodesController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateNodeInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeModel"];
                };
            };
        };
    };
    NodesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeModel"];
                };
            };
        };
    };
    NodesController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    NodesController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateNodeInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeModel"];
                };
            };
        };
    };
    NodesController_ancestors: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeList"];
                };
            };
        };
    };
    NodesController_children: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeList"];
                };
            };
        };
    };
    MembersController_invitations: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationModel"][];
                };
            };
        };
    };
    MembersController_invite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InviteInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationModel"];
                };
            };
        };
    };
    MembersController_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemberModel"][];
                };
            };
        };
    };
    MovementsController_summary: {
        parameters: {
            query?: {
                /** @description Default: 31 days before `to`. */
                from?: string;
                /** @description Default: now. */
                to?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MovementSummary"];
                };
            };
        };
    };
    NodesController_subtree: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubtreeNodeList"];
                };
            };
        };
    };
    PathsController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                destinationId?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                /** @description Paths with this node as source or destination. */
                nodeId?: string;
                protocol?: "line" | "forward" | "http" | "mqtt" | "cdc" | "file";
                /** @description Text contained in name or reference. */
                q?: string;
                /** @description Sort field, `-` prefix for descending. */
                sort?: string;
                sourceId?: string;
                state?: "active" | "paused" | "revoked";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathConnection"];
                };
            };
        };
    };
    PathsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreatePathInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathModel"];
                };
            };
        };
    };
    PathsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathModel"];
                };
            };
        };
    };
    PathsController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    PathsController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdatePathInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathModel"];
                };
            };
        };
    };
    IngestStatusController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathIngestStatusModel"];
                };
            };
        };
    };
    PathEventsController_list: {
        parameters: {
            query?: {
                /** @description Only events whose time is before this one. */
                before?: string;
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
            };
            header?: never;
            path: {
                pathId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathEventConnection"];
                };
            };
        };
    };
    PathTokensController_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                pathId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathTokenModel"][];
                };
            };
        };
    };
    PathTokensController_create: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                pathId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreatePathTokenInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedPathTokenModel"];
                };
            };
        };
    };
    PathTokensController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                pathId: string;
                tokenId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathTokenModel"];
                };
            };
        };
    };
    IngestStatusController_list: {
        parameters: {
            query: {
                /** @description Path ids separated by commas, at most 100. */
                ids: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PathIngestStatusModel"][];
                };
            };
        };
    };
    RemainingLifeController_list: {
        parameters: {
            query?: {
                /** @description Machines under this node (default: all). */
                nodeId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MachineLifeModel"][];
                };
            };
        };
    };
    RemainingLifeController_history: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                nodeId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EstimateModel"][];
                };
            };
        };
    };
    ResourcesController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Rows per page, 1-500 (default 50). */
                limit?: number;
                /** @description Text contained in name or reference. */
                q?: string;
                /** @description Sort field, `-` prefix for descending. */
                sort?: string;
                valueType?: "float" | "integer" | "unsigned" | "boolean" | "string";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResourceConnection"];
                };
            };
        };
    };
    ResourcesController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateResourceInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResourceModel"];
                };
            };
        };
    };
    ResourcesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResourceModel"];
                };
            };
        };
    };
    ResourcesController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ResourcesController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateResourceInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResourceModel"];
                };
            };
        };
    };
    SeriesController_list: {
        parameters: {
            query?: {
                cursor?: string;
                field?: string;
                limit?: number;
                measurement?: string;
                nodeId?: string;
                resourceId?: string;
                tag?: string[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SeriesConnection"];
                };
            };
        };
    };
    SeriesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SeriesModel"];
                };
            };
        };
    };
    SeriesController_chart: {
        parameters: {
            query: {
                from: string;
                /** @description Pixels: at most this many points (default 1000). */
                points?: number;
                to: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChartModel"];
                };
            };
        };
    };
    SeriesController_points: {
        parameters: {
            query: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                from: string;
                limit?: number;
                order?: "asc" | "desc";
                to: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PointsPage"];
                };
            };
        };
    };
    SeriesController_aggregate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AggregateInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AggregateResultModel"];
                };
            };
        };
    };
    SeriesController_last: {
        parameters: {
            query?: {
                field?: string;
                measurement?: string;
                nodeId?: string;
                resourceId?: string;
                tag?: string[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LastPointModel"][];
                };
            };
        };
    };
}
