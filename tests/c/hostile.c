/* libjourney against hostile callers: every pointer argument of every
 * function NULL (alone and in every combination), every string argument
 * invalid UTF-8, interior NULs, inputs past every limit, every _free with
 * NULL, and one tracker hammered by 8 threads at once (observe, next,
 * snapshot, expire, forget) with the totals checked. Run by scripts/test-c.sh
 * under ASan+UBSan, valgrind and ThreadSanitizer: a failure is a status and
 * a message, never a crash, a leak or a race. */
#include "journey.h"
#include "read_file.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) {                                                            \
      passed++;                                                            \
    } else {                                                               \
      failed++;                                                            \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,     \
              #cond);                                                      \
    }                                                                      \
  } while (0)

#define S(literal) literal, (sizeof(literal) - 1)

/* The sweep: `mask` says which arguments are replaced, `bad` whether by
 * invalid UTF-8 (string arguments) rather than NULL. P(bit, p) is a pointer
 * argument, T(bit, p, len) a string argument and its length. */
static unsigned mask;
static int bad;
#define HIT(bit) (((mask >> (bit)) & 1u) != 0)
#define P(bit, p) ((HIT(bit) && !bad) ? NULL : (p))
#define T(bit, p, len) (HIT(bit) ? (bad ? "\xff" : NULL) : (p)), (HIT(bit) && bad ? 1 : (len))

/* Runs `call` for every mask over `args` arguments. `strings` marks the
 * string arguments, `optional` the pointers NULL may be (out-lengths, an
 * optional outcome). With a required argument NULL the status must be
 * INVALID_ARGUMENT with a message; with a string invalid, a failure that is
 * not INTERNAL; otherwise OK. `release` frees what an OK call returned. */
#define SWEEP(name, args, strings, optional, call, release)                    \
  do {                                                                         \
    for (bad = 0; bad <= 1; bad++) {                                           \
      for (mask = 0; mask < (1u << (args)); mask++) {                          \
        if (bad && (mask & ~(unsigned)(strings)) != 0) {                       \
          continue;                                                            \
        }                                                                      \
        JourneyStatus status = (call);                                         \
        int expected_ok = bad ? mask == 0 : (mask & ~(unsigned)(optional)) == 0; \
        if (expected_ok) {                                                     \
          CHECK(status == JOURNEY_STATUS_OK);                                  \
        } else if (bad) {                                                      \
          CHECK(status != JOURNEY_STATUS_OK && status != JOURNEY_STATUS_INTERNAL); \
        } else {                                                               \
          CHECK(status == JOURNEY_STATUS_INVALID_ARGUMENT);                    \
        }                                                                      \
        if (status != JOURNEY_STATUS_OK) {                                     \
          CHECK(strlen(journey_last_error_message()) > 0);                     \
        } else {                                                               \
          release;                                                             \
        }                                                                      \
        if ((status == JOURNEY_STATUS_OK) != expected_ok) {                    \
          fprintf(stderr, "  %s: mask %#x%s: status %d (%s)\n", name, mask,    \
                  bad ? " (invalid UTF-8)" : "", (int)status,                  \
                  journey_last_error_message());                               \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  } while (0)

static const char PATHS[] = "path,total_conversions,total_null\nads > web,3,1\nweb,1,2\n";
static const char CSV[] =
    "customer,timestamp,event\n"
    "c1,1772357400,online_reviews\n"
    "c1,1772357460,contact_form\n"
    "c2,1772357400,online_reviews\n";

static void sweep_model(const char *doc, size_t doc_len) {
  JourneyModel *out_model = NULL;
  SWEEP("journey_model_from_json", 2, 0x1, 0x0,
        journey_model_from_json(T(0, doc, doc_len), P(1, &out_model)),
        (journey_model_free(out_model), out_model = NULL));
  JourneyModel *gym = NULL;
  journey_model_from_json(doc, doc_len, &gym);
  char *out = NULL;
  size_t len = 0, count = 0, errors = 0, warnings = 0;
  char *id = NULL, *name = NULL;
  SWEEP("journey_model_to_json", 3, 0x0, 0x4,
        journey_model_to_json(P(0, gym), P(1, &out), P(2, &len)), (journey_string_free(out), out = NULL));
  SWEEP("journey_model_validate", 5, 0x0, 0x18,
        journey_model_validate(P(0, gym), P(1, &errors), P(2, &warnings), P(3, &out), P(4, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_model_compare", 6, 0xE, 0x20,
        journey_model_compare(P(0, gym), T(1, "gym", 3), T(2, "gym", 3), T(3, "{}", 2), P(4, &out),
                              P(5, &len)),
        (journey_string_free(out), out = NULL));
  JourneyAnalysis *analysis = NULL;
  SWEEP("journey_model_analyze", 4, 0x6, 0x0,
        journey_model_analyze(P(0, gym), T(1, "gym", 3), T(2, "{}", 2), P(3, &analysis)),
        (journey_analysis_free(analysis), analysis = NULL));
  SWEEP("journey_model_journey_count", 2, 0x0, 0x0,
        journey_model_journey_count(P(0, gym), P(1, &count)), (void)0);
  SWEEP("journey_model_journey_at", 3, 0x0, 0x0,
        journey_model_journey_at(P(0, gym), 0, P(1, &id), P(2, &name)),
        ((journey_string_free(id), id = NULL), (journey_string_free(name), name = NULL)));
  SWEEP("journey_model_stage_count", 3, 0x2, 0x0,
        journey_model_stage_count(P(0, gym), T(1, "gym", 3), P(2, &count)), (void)0);
  SWEEP("journey_model_stage_at", 4, 0x2, 0x0,
        journey_model_stage_at(P(0, gym), T(1, "gym", 3), 0, P(2, &id), P(3, &name)),
        ((journey_string_free(id), id = NULL), (journey_string_free(name), name = NULL)));
  SWEEP("journey_model_touchpoint_count", 3, 0x2, 0x0,
        journey_model_touchpoint_count(P(0, gym), T(1, "gym", 3), P(2, &count)), (void)0);
  SWEEP("journey_model_touchpoint_at", 4, 0x2, 0x0,
        journey_model_touchpoint_at(P(0, gym), T(1, "gym", 3), 0, P(2, &id), P(3, &name)),
        ((journey_string_free(id), id = NULL), (journey_string_free(name), name = NULL)));
  SWEEP("journey_model_touchpoint_info", 5, 0x6, 0x0,
        journey_model_touchpoint_info(P(0, gym), T(1, "gym", 3), T(2, "online_reviews", 14),
                                      P(3, &id), P(4, &name)),
        ((journey_string_free(id), id = NULL), (journey_string_free(name), name = NULL)));
  bool has = false;
  double value = 0.0;
  uint64_t samples = 0;
  SWEEP("journey_model_touchpoint_emotion", 5, 0x6, 0x0,
        journey_model_touchpoint_emotion(P(0, gym), T(1, "gym", 3), T(2, "online_reviews", 14),
                                         P(3, &has), P(4, &value)),
        (void)0);
  SWEEP("journey_model_touchpoint_measure", 6, 0xE, 0x20,
        journey_model_touchpoint_measure(P(0, gym), T(1, "gym", 3), T(2, "contact_form", 12),
                                         T(3, "ces", 3), P(4, &value), P(5, &samples)),
        (void)0);
  SWEEP("journey_model_to_dot", 5, 0x6, 0x10,
        journey_model_to_dot(P(0, gym), T(1, "gym", 3), T(2, "{}", 2), P(3, &out), P(4, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_model_render_svg", 5, 0x6, 0x10,
        journey_model_render_svg(P(0, gym), T(1, "gym", 3), T(2, "{}", 2), P(3, &out), P(4, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_model_to_mermaid", 4, 0x2, 0x8,
        journey_model_to_mermaid(P(0, gym), T(1, "gym", 3), P(2, &out), P(3, &len)),
        (journey_string_free(out), out = NULL));
  const char *mermaid = "journey\n  title T\n  section S\n    Task: 5: Me\n";
  SWEEP("journey_model_from_mermaid", 2, 0x1, 0x0,
        journey_model_from_mermaid(T(0, mermaid, strlen(mermaid)), P(1, &out_model)),
        (journey_model_free(out_model), out_model = NULL));

  /* The analysis handle. */
  journey_model_analyze(gym, S("gym"), NULL, 0, &analysis);
  double reach = 0.0, effect = 0.0;
  SWEEP("journey_analysis_to_json", 3, 0x0, 0x4,
        journey_analysis_to_json(P(0, analysis), P(1, &out), P(2, &len)), (journey_string_free(out), out = NULL));
  SWEEP("journey_analysis_goal_probability", 2, 0x0, 0x0,
        journey_analysis_goal_probability(P(0, analysis), P(1, &value)), (void)0);
  SWEEP("journey_analysis_stage_reach", 3, 0x2, 0x0,
        journey_analysis_stage_reach(P(0, analysis), T(1, "awareness", 9), P(2, &value)), (void)0);
  SWEEP("journey_analysis_touchpoint_reach", 4, 0x2, 0x8,
        journey_analysis_touchpoint_reach(P(0, analysis), T(1, "online_reviews", 14), P(2, &reach),
                                          P(3, &effect)),
        (void)0);
  SWEEP("journey_analysis_pain_point_count", 2, 0x0, 0x0,
        journey_analysis_pain_point_count(P(0, analysis), P(1, &count)), (void)0);
  SWEEP("journey_analysis_pain_point", 4, 0x0, 0x4,
        journey_analysis_pain_point(P(0, analysis), 0, P(1, &out), P(2, &len), P(3, &value)),
        (journey_string_free(out), out = NULL));
  journey_analysis_free(analysis);

  /* Event logs, and what a model does with them. */
  JourneyEventLog *log = NULL;
  SWEEP("journey_event_log_new", 1, 0x0, 0x0, journey_event_log_new(P(0, &log)),
        (journey_event_log_free(log), log = NULL));
  journey_event_log_new(&log);
  SWEEP("journey_event_log_push", 4, 0xE, 0x0,
        journey_event_log_push(P(0, log), T(1, "c9", 2), 1772357400000, T(2, "online_reviews", 14),
                               T(3, "web", 3)),
        (void)0);
  const char *event = "{\"customer\":\"c9\",\"timestamp\":1772357400000,\"name\":\"online_reviews\"}";
  SWEEP("journey_event_log_push_json", 2, 0x2, 0x0,
        journey_event_log_push_json(P(0, log), T(1, event, strlen(event))), (void)0);
  SWEEP("journey_event_log_read_csv", 5, 0x6, 0x18,
        journey_event_log_read_csv(P(0, log), T(1, CSV, sizeof(CSV) - 1), T(2, "{}", 2), P(3, &out),
                                   P(4, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_event_log_len", 2, 0x0, 0x0, journey_event_log_len(P(0, log), P(1, &count)),
        (void)0);
  SWEEP("journey_event_log_discover", 4, 0x2, 0x8,
        journey_event_log_discover(P(0, log), T(1, "{}", 2), 3, P(2, &out), P(3, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_model_conformance", 6, 0xA, 0x20,
        journey_model_conformance(P(0, gym), T(1, "gym", 3), P(2, log), T(3, "{}", 2), 3, P(4, &out),
                                  P(5, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_model_data_funnel", 6, 0xA, 0x20,
        journey_model_data_funnel(P(0, gym), T(1, "gym", 3), P(2, log), T(3, "{}", 2), P(4, &out),
                                  P(5, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_model_fit", 6, 0x1A, 0x0,
        journey_model_fit(P(0, gym), T(1, "gym", 3), P(2, log), T(3, "{}", 2), T(4, "{}", 2),
                          P(5, &out_model)),
        (journey_model_free(out_model), out_model = NULL));
  SWEEP("journey_model_attribution", 7, 0x1A, 0x40,
        journey_model_attribution(P(0, gym), T(1, "gym", 3), P(2, log), T(3, "{}", 2),
                                  T(4, "{}", 2), P(5, &out), P(6, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_paths_attribution", 5, 0x7, 0x10,
        journey_paths_attribution(T(0, PATHS, sizeof(PATHS) - 1), T(1, "{}", 2), T(2, "{}", 2),
                                  P(3, &out), P(4, &len)),
        (journey_string_free(out), out = NULL));
  journey_event_log_free(log);

  /* Trackers. */
  JourneyTracker *tracker = NULL;
  SWEEP("journey_tracker_new", 4, 0x6, 0x0,
        journey_tracker_new(P(0, gym), T(1, "gym", 3), T(2, "{}", 2), P(3, &tracker)),
        (journey_tracker_free(tracker), tracker = NULL));
  journey_tracker_new(gym, S("gym"), NULL, 0, &tracker);
  JourneyObserved observed;
  SWEEP("journey_tracker_observe", 4, 0x6, 0x8,
        journey_tracker_observe(P(0, tracker), T(1, "c1", 2), T(2, "online_reviews", 14), 1000,
                                P(3, &observed)),
        (void)0);
  bool flag = false;
  SWEEP("journey_tracker_forget", 3, 0x2, 0x4,
        journey_tracker_forget(P(0, tracker), T(1, "nobody", 6), P(2, &flag)), (void)0);
  JourneyNextStep steps[4];
  SWEEP("journey_tracker_next", 4, 0x2, 0x0,
        journey_tracker_next(P(0, tracker), T(1, "c1", 2), P(2, steps), 4, P(3, &count)), (void)0);
  JourneyVisit visits[4];
  SWEEP("journey_tracker_history", 6, 0xE, 0x0,
        journey_tracker_history(P(0, tracker), T(1, "c1", 2), T(2, "web", 3), T(3, "awareness", 9),
                                -1, P(4, visits), 4, P(5, &count)),
        (void)0);
  JourneySeen seen;
  SWEEP("journey_tracker_seen", 4, 0x6, 0x0,
        journey_tracker_seen(P(0, tracker), T(1, "c1", 2), T(2, "online_reviews", 14), P(3, &seen)),
        (void)0);
  JourneyPosition position;
  SWEEP("journey_tracker_position", 4, 0x2, 0x0,
        journey_tracker_position(P(0, tracker), T(1, "c1", 2), P(2, &flag), P(3, &position)),
        (void)0);
  SWEEP("journey_tracker_goal_probability", 4, 0x2, 0x0,
        journey_tracker_goal_probability(P(0, tracker), T(1, "c1", 2), P(2, &flag), P(3, &value)),
        (void)0);
  JourneyPriority priority;
  SWEEP("journey_tracker_priority", 4, 0x2, 0x0,
        journey_tracker_priority(P(0, tracker), T(1, "c1", 2), P(2, &flag), P(3, &priority)),
        (void)0);
  SWEEP("journey_tracker_due", 3, 0x0, 0x4,
        journey_tracker_due(P(0, tracker), 5000, P(1, &out), P(2, &len)), (journey_string_free(out), out = NULL));
  SWEEP("journey_tracker_expire", 2, 0x0, 0x0,
        journey_tracker_expire(P(0, tracker), 0, P(1, &count)), (void)0);
  JourneyTrackerStats stats;
  SWEEP("journey_tracker_stats", 2, 0x0, 0x0, journey_tracker_stats(P(0, tracker), P(1, &stats)),
        (void)0);
  SWEEP("journey_tracker_snapshot", 3, 0x0, 0x4,
        journey_tracker_snapshot(P(0, tracker), P(1, &out), P(2, &len)), (journey_string_free(out), out = NULL));
  char *snapshot = NULL;
  size_t snapshot_len = 0;
  journey_tracker_snapshot(tracker, &snapshot, &snapshot_len);
  JourneyTracker *restored = NULL;
  SWEEP("journey_tracker_restore", 4, 0x6, 0x0,
        journey_tracker_restore(P(0, gym), T(1, "gym", 3), T(2, snapshot, snapshot_len),
                                P(3, &restored)),
        (journey_tracker_free(restored), restored = NULL));
  journey_string_free(snapshot);
  journey_tracker_free(tracker);
  journey_model_free(gym);
}

/* Every _free and release with NULL is a no-op. */
static void frees_of_null(void) {
  journey_string_free(NULL);
  journey_analysis_free(NULL);
  journey_event_log_free(NULL);
  journey_model_free(NULL);
  journey_tracker_free(NULL);
  CHECK(journey_status_code(-1) == NULL);
  CHECK(journey_status_code(9999) == NULL);
}

/* Interior NULs are bytes like any other: never a cut. */
static void interior_nuls(JourneyModel *gym) {
  JourneyTracker *tracker = NULL;
  CHECK(journey_tracker_new(gym, S("gym"), NULL, 0, &tracker) == JOURNEY_STATUS_OK);
  CHECK(journey_tracker_observe(tracker, S("a\0b"), S("online_reviews"), 1, NULL) ==
        JOURNEY_STATUS_OK);
  CHECK(journey_tracker_observe(tracker, S("a"), S("online_reviews"), 2, NULL) == JOURNEY_STATUS_OK);
  JourneyTrackerStats stats;
  CHECK(journey_tracker_stats(tracker, &stats) == JOURNEY_STATUS_OK);
  CHECK(stats.customers == 2);
  JourneyObserved observed = JOURNEY_OBSERVED_PLACED;
  CHECK(journey_tracker_observe(tracker, S("a"), S("online_reviews\0x"), 3, &observed) ==
        JOURNEY_STATUS_OK);
  CHECK(observed == JOURNEY_OBSERVED_UNKNOWN);
  journey_tracker_free(tracker);
  size_t count = 0;
  CHECK(journey_model_stage_count(gym, S("gym\0"), &count) == JOURNEY_STATUS_NOT_FOUND);
  JourneyModel *model = NULL;
  CHECK(journey_model_from_json(S("{\"schema\":\"journey/1\"\0}"), &model) ==
        JOURNEY_STATUS_PARSE_ERROR);
  CHECK(model == NULL);
}

/* Inputs past every limit are refused with LIMIT_EXCEEDED, nothing kept. */
static void past_the_limits(JourneyModel *gym) {
  size_t big = (64u << 20) + 1;
  char *text = malloc(big);
  CHECK(text != NULL);
  memset(text, ' ', big);
  JourneyModel *model = NULL;
  CHECK(journey_model_from_json(text, big, &model) == JOURNEY_STATUS_LIMIT_EXCEEDED);
  CHECK(model == NULL);
  CHECK(journey_model_from_mermaid(text, big, &model) == JOURNEY_STATUS_LIMIT_EXCEEDED);
  JourneyTracker *tracker = NULL;
  size_t options = (16u << 20) + 1;
  CHECK(journey_tracker_new(gym, S("gym"), text, options, &tracker) ==
        JOURNEY_STATUS_LIMIT_EXCEEDED);
  CHECK(tracker == NULL);
  CHECK(journey_tracker_new(gym, S("gym"), S("{\"history\": 65536}"), &tracker) ==
        JOURNEY_STATUS_INVALID_OPTION);
  CHECK(journey_tracker_new(gym, S("gym"), S("{\"shards\": 1025}"), &tracker) ==
        JOURNEY_STATUS_INVALID_OPTION);
  /* A CSV line past 16 MiB, after one good row. */
  JourneyEventLog *log = NULL;
  journey_event_log_new(&log);
  const char head[] = "customer,timestamp,event\nc1,1,online_reviews\n";
  size_t line = (16u << 20) + 2;
  size_t total = sizeof(head) - 1 + line;
  char *csv = malloc(total);
  CHECK(csv != NULL);
  memcpy(csv, head, sizeof(head) - 1);
  memset(csv + sizeof(head) - 1, 'x', line);
  CHECK(journey_event_log_read_csv(log, csv, total, NULL, 0, NULL, NULL) ==
        JOURNEY_STATUS_LIMIT_EXCEEDED);
  CHECK(strstr(journey_last_error_message(), "line 3") != NULL);
  size_t len = 0;
  CHECK(journey_event_log_len(log, &len) == JOURNEY_STATUS_OK);
  CHECK(len == 1);
  journey_event_log_free(log);
  free(csv);
  free(text);
}

/* Eight threads on one tracker: observe, next, snapshot, expire and forget
 * at once; every observation is counted exactly once. */
#define THREADS 8
#define ROUNDS 3000

struct worker {
  JourneyTracker *tracker;
  int index;
  uint64_t placed;
  uint64_t unknown;
  int failures;
};

static void *work(void *arg) {
  struct worker *w = arg;
  static const char *names[] = {"online_reviews", "contact_form", "no_such_touchpoint",
                                "in_person_visit"};
  char customer[32];
  for (int k = 0; k < ROUNDS; k++) {
    int n = snprintf(customer, sizeof customer, "c%d-%d", w->index, k % 40);
    JourneyObserved observed;
    const char *name = names[k % 4];
    if (journey_tracker_observe(w->tracker, customer, (size_t)n, name, strlen(name), k,
                                &observed) != JOURNEY_STATUS_OK) {
      w->failures++;
    } else if (observed == JOURNEY_OBSERVED_PLACED) {
      w->placed++;
    } else if (observed == JOURNEY_OBSERVED_UNKNOWN) {
      w->unknown++;
    }
    JourneyNextStep steps[3];
    size_t written = 0;
    if (journey_tracker_next(w->tracker, customer, (size_t)n, steps, 3, &written) !=
        JOURNEY_STATUS_OK) {
      w->failures++;
    }
    if (k % 500 == 0) {
      char *snapshot = NULL;
      size_t len = 0;
      if (journey_tracker_snapshot(w->tracker, &snapshot, &len) != JOURNEY_STATUS_OK) {
        w->failures++;
      }
      journey_string_free(snapshot);
      size_t evicted = 0;
      if (journey_tracker_expire(w->tracker, 0, &evicted) != JOURNEY_STATUS_OK) {
        w->failures++;
      }
      bool forgotten = false;
      if (journey_tracker_forget(w->tracker, customer, (size_t)n, &forgotten) != JOURNEY_STATUS_OK) {
        w->failures++;
      }
    }
  }
  return NULL;
}

static void hammered(JourneyModel *gym) {
  JourneyTracker *tracker = NULL;
  CHECK(journey_tracker_new(gym, S("gym"), S("{\"history\": 8, \"max_customers\": 100, \"shards\": 4}"),
                            &tracker) == JOURNEY_STATUS_OK);
  pthread_t threads[THREADS];
  struct worker workers[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i] = (struct worker){tracker, i, 0, 0, 0};
    pthread_create(&threads[i], NULL, work, &workers[i]);
  }
  uint64_t placed = 0, unknown = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    CHECK(workers[i].failures == 0);
    placed += workers[i].placed;
    unknown += workers[i].unknown;
  }
  JourneyTrackerStats stats;
  CHECK(journey_tracker_stats(tracker, &stats) == JOURNEY_STATUS_OK);
  CHECK(stats.placed == placed);
  CHECK(stats.unknown == unknown);
  CHECK(unknown == (uint64_t)THREADS * ROUNDS / 4);
  CHECK(stats.customers <= 100);
  journey_tracker_free(tracker);
}

/* The event-log readers of other formats (XES, JSON) and the tracker fed
 * JSON, on a log and a tracker of their own. */
static const char XES[] =
    "<log><trace><string key=\"concept:name\" value=\"c1\"/><event>"
    "<string key=\"concept:name\" value=\"online_reviews\"/>"
    "<date key=\"time:timestamp\" value=\"2026-03-01T09:30:00Z\"/></event></trace></log>";
static const char EVENTS[] = "{\"customer\":\"c1\",\"timestamp\":1772357400000,\"name\":\"online_reviews\"}\n";

static void sweep_formats(JourneyModel *gym, const char *xes_path) {
  JourneyEventLog *log = NULL;
  journey_event_log_new(&log);
  char *out = NULL;
  size_t len = 0;
  SWEEP("journey_event_log_read_xes", 5, 0x6, 0x18,
        journey_event_log_read_xes(P(0, log), (const uint8_t *)T(1, XES, sizeof(XES) - 1), T(2, "{}", 2), P(3, &out),
                                   P(4, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_event_log_read_xes_file", 5, 0x6, 0x18,
        journey_event_log_read_xes_file(P(0, log), T(1, xes_path, strlen(xes_path)), T(2, "{}", 2), P(3, &out),
                                        P(4, &len)),
        (journey_string_free(out), out = NULL));
  SWEEP("journey_event_log_write_xes", 3, 0x0, 0x4,
        journey_event_log_write_xes(P(0, log), P(1, &out), P(2, &len)), (journey_string_free(out), out = NULL));
  SWEEP("journey_event_log_read_json", 5, 0x6, 0x18,
        journey_event_log_read_json(P(0, log), T(1, EVENTS, sizeof(EVENTS) - 1), T(2, "{}", 2), P(3, &out),
                                    P(4, &len)),
        (journey_string_free(out), out = NULL));
  journey_event_log_free(log);
  JourneyTracker *tracker = NULL;
  journey_tracker_new(gym, S("gym"), NULL, 0, &tracker);
  JourneyObserved observed = JOURNEY_OBSERVED_UNKNOWN;
  SWEEP("journey_tracker_observe_json", 4, 0x6, 0x8,
        journey_tracker_observe_json(P(0, tracker), T(1, EVENTS, sizeof(EVENTS) - 2), T(2, "{}", 2), P(3, &observed)),
        (void)0);
  journey_tracker_free(tracker);
}

int main(int argc, char **argv) {
  const char *data = argc > 1 ? argv[1] : "examples/data";
  char path[4096];
  snprintf(path, sizeof path, "%s/gym.json", data);
  size_t doc_len = 0;
  char *doc = read_file(path, &doc_len);
  JourneyModel *gym = NULL;
  if (journey_model_from_json(doc, doc_len, &gym) != JOURNEY_STATUS_OK) {
    fprintf(stderr, "cannot read %s: %s\n", path, journey_last_error_message());
    return 2;
  }
  sweep_model(doc, doc_len);
  char xes_path[4096];
  snprintf(xes_path, sizeof xes_path, "%s/xes/running-example.xes", data);
  sweep_formats(gym, xes_path);
  frees_of_null();
  interior_nuls(gym);
  past_the_limits(gym);
  hammered(gym);
  journey_model_free(gym);
  free(doc);
  printf("hostile: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
