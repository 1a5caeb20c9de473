/* regcheck.c - see regcheck.h. Only the control thread calls these (it owns the
 * registration socket once it runs). */
#include "config.h"

#include "regcheck.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "emsg.h"
#include "elog.h"

static struct {
    regcheck_state_t state;
    double start, deadline, limit; /* ms */
    double next, interval;         /* when the next query is due, and the step after it */
    double sent_at;                /* the last query; 0: none unanswered */
    bool answered;                 /* the controller answered a query */
    char final_id[64];             /* the first query sent after the deadline: its answer decides */
    double final_at;
    char why[320];
} g;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void regcheck_start(const engine_t *e)
{
    double now = now_ms(), period = e->hb_period_ms;
    memset(&g, 0, sizeof g);
    g.state = REGCHECK_WAITING;
    g.start = now;
    g.limit = e->opt->reg_timeout > 0 ? e->opt->reg_timeout * 1e3 : fmax(30e3, 10 * period) + 2 * period;
    g.deadline = now + g.limit;
    g.interval = REGCHECK_FIRST_MS;
    g.next = now + g.interval;
}

int regcheck_wait_ms(void)
{
    if (g.state != REGCHECK_WAITING)
        return -1;
    double d = g.next - now_ms();
    return d <= 0 ? 0 : (int)ceil(d);
}

void regcheck_tick(const engine_t *e)
{
    double now = now_ms(), period = e->hb_period_ms > 0 ? e->hb_period_ms : 1000;
    if (g.state != REGCHECK_WAITING || now < g.next)
        return;
    if ((now >= g.deadline && !g.answered) || (g.final_id[0] && now - g.final_at > 2 * period)) {
        /* A controller that does not answer queries: nothing to check with (a gone one
         * is the heart's business). */
        log_warn("registration check: the controller does not answer queue_request; not checking further");
        g.state = REGCHECK_DONE;
        return;
    }
    g.interval = fmin(g.interval * 2, fmax(period, REGCHECK_FIRST_MS));
    g.next = now + g.interval;
    /* One query at a time; one left unanswered for a period is sent again. */
    if (g.sent_at && now - g.sent_at < period)
        return;
    ippc_error_t *err = NULL;
    json_t *content = json_pack("{s:[s], s:b}", "targets", e->uuid, "verbose", 0);
    ippc_msg_t *m = emsg_new("queue_request", content, NULL, NULL, &err);
    char id[sizeof g.final_id];
    snprintf(id, sizeof id, "%s", m && ippc_msg_id(m) ? ippc_msg_id(m) : "");
    if (!m || emsg_send(e->reg, m, &err) < 0) {
        log_warn("registration check: query not sent: %s", err ? ippc_error_message(err) : "?");
    } else {
        g.sent_at = now;
        if (now >= g.deadline && !g.final_id[0]) {
            memcpy(g.final_id, id, sizeof id);
            g.final_at = now;
        }
    }
    ippc_error_destroy(&err);
}

regcheck_state_t regcheck_on_message(const engine_t *e)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *m = emsg_recv(e->reg, &err);
    if (!m) {
        if (ippc_error_code(err) != IPPC_E_TIMEOUT)
            log_warn("registration socket: dropped a message: %s", ippc_error_message(err));
        ippc_error_destroy(&err);
        return g.state;
    }
    const char *type = ippc_msg_type(m);
    const char *parent = json_string_value(json_object_get(m->parent_header, "msg_id"));
    const char *status = json_string_value(json_object_get(m->content, "status"));
    const char *ename = json_string_value(json_object_get(m->content, "ename"));
    if (g.state == REGCHECK_WAITING)
        g.answered = true;
    if (g.state != REGCHECK_WAITING || !type) {
        log_debug("registration socket: %s ignored", type ? type : "a message without a type");
    } else if (!strcmp(type, "queue_reply") && status && !strcmp(status, "ok")) {
        g.state = REGCHECK_DONE;
        log_info("the controller completed the registration (%.0f ms after its reply)", now_ms() - g.start);
    } else if (!strcmp(type, "hub_error") && ename && !strcmp(ename, "IndexError")) {
        g.sent_at = 0; /* not listed yet */
        if (parent && g.final_id[0] && !strcmp(parent, g.final_id)) {
            g.state = REGCHECK_FAILED;
            snprintf(g.why, sizeof g.why,
                     "the controller has not completed the registration of engine %d %.0f s after its reply: "
                     "it drops registrations whose first heartbeat comes too late (an overloaded controller, "
                     "a stopped engine) and ignores this engine; start it again "
                     "(see --registration-timeout)",
                     e->id, g.limit / 1e3);
        }
    } else {
        /* A controller that cannot answer the query: nothing to check with. */
        const char *evalue = json_string_value(json_object_get(m->content, "evalue"));
        log_warn("registration check: the controller answered %s%s%s; not checking further", type,
                 evalue ? ": " : "", evalue ? evalue : "");
        g.state = REGCHECK_DONE;
    }
    ippc_msg_destroy(&m);
    return g.state;
}

const char *regcheck_failure(void)
{
    return g.why;
}
