/* Tests of libjourney's C API: every exported function, and every error
 * path (NULL arguments, invalid UTF-8, malformed JSON, unknown ids, limits).
 * Run by scripts/test.sh under ASan+UBSan and under valgrind. */
#include "journey.h"
#include "read_file.h"

#include <math.h>
#include <pthread.h>
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

#define CHECK_STATUS(call, expected) CHECK((call) == (expected))
#define S(literal) literal, (sizeof(literal) - 1)

static int message_contains(const char *needle) {
  return strstr(journey_last_error_message(), needle) != NULL;
}

static void test_version(void) {
  CHECK(strlen(journey_version()) > 0);
  CHECK(journey_abi_version() == JOURNEY_ABI_VERSION);
  CHECK(strcmp(journey_last_error_message(), "") == 0);
}

/* One name for each kind of failure, the same as JavaScript's JourneyError
 * codes; options with an unknown key or a wrong type are refused by name. */
static void test_status_codes_and_strict_options(JourneyModel *gym) {
  CHECK(strcmp(journey_status_code(JOURNEY_STATUS_OK), "ok") == 0);
  CHECK(strcmp(journey_status_code(JOURNEY_STATUS_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(journey_status_code(JOURNEY_STATUS_CSV_ERROR), "csv_error") == 0);
  CHECK(strcmp(journey_status_code(JOURNEY_STATUS_INVALID_SNAPSHOT), "invalid_snapshot") == 0);
  CHECK(journey_status_code(-1) == NULL);
  CHECK(journey_status_code(1000) == NULL);
  JourneyAnalysis *analysis = NULL;
  CHECK_STATUS(journey_model_analyze(gym, S("gym"), S("{\"topp\": 3}"), &analysis), JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("invalid option topp: unknown field `topp`"));
  CHECK(analysis == NULL);
  char *svg = NULL;
  CHECK_STATUS(journey_model_render_svg(gym, S("gym"), S("{\"analysis\": true, \"colour\": 1}"), &svg, NULL),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("colour"));
  CHECK(svg == NULL);
  CHECK_STATUS(journey_model_analyze(gym, S("gym"), S("{\"top\": 3"), &analysis), JOURNEY_STATUS_PARSE_ERROR);
}

/* Two journeys of one model compared, as in Rust and JavaScript. */
static void test_compare(JourneyModel *gym) {
  char *json = NULL;
  size_t len = 0;
  CHECK_STATUS(journey_model_compare(gym, S("gym"), S("gym"), S("{\"top\": 1}"), &json, &len), JOURNEY_STATUS_OK);
  CHECK(json != NULL && len == strlen(json));
  CHECK(strstr(json, "\"touchpoints\":{\"added\":[],\"removed\":[],\"changed\":[]}") != NULL);
  CHECK(strstr(json, "\"goal_probability\":{\"before\":") != NULL);
  CHECK(strstr(json, "\"delta\":0.0},\"funnel\"") != NULL);
  journey_string_free(json);
  json = NULL;
  CHECK_STATUS(journey_model_compare(gym, S("gym"), S("pool"), NULL, 0, &json, &len), JOURNEY_STATUS_NOT_FOUND);
  CHECK(message_contains("no journey with id \"pool\""));
  CHECK_STATUS(journey_model_compare(gym, S("gym"), S("gym"), S("{\"tops\": 1}"), &json, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK_STATUS(journey_model_compare(gym, S("gym"), S("gym"), NULL, 0, NULL, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_compare(NULL, S("gym"), S("gym"), NULL, 0, &json, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(json == NULL);
}

static void test_load_errors(void) {
  JourneyModel *model = NULL;
  /* Malformed JSON: parse error with line and column. */
  CHECK_STATUS(journey_model_from_json(S("{\n \"schema\": \"journey/1\",\n  oops}"), &model),
               JOURNEY_STATUS_PARSE_ERROR);
  CHECK(model == NULL);
  CHECK(message_contains("line 3"));
  /* Invalid UTF-8. */
  CHECK_STATUS(journey_model_from_json(S("{\"schema\": \"journey/1\", \"x\": \"\xff\"}"), &model),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(message_contains("UTF-8"));
  /* NULL input with a length, NULL out. */
  CHECK_STATUS(journey_model_from_json(NULL, 5, &model), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(message_contains("json is NULL"));
  CHECK_STATUS(journey_model_from_json(S("{\"schema\": \"journey/1\"}"), NULL),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  /* NULL with zero length is the empty string: not JSON. */
  CHECK_STATUS(journey_model_from_json(NULL, 0, &model), JOURNEY_STATUS_PARSE_ERROR);
  /* A newer major schema. */
  CHECK_STATUS(journey_model_from_json(S("{\"schema\": \"journey/2\"}"), &model),
               JOURNEY_STATUS_UNSUPPORTED_SCHEMA);
  CHECK(message_contains("journey/2"));
  /* Nesting beyond the limit is refused, not a crash. */
  size_t depth = 100000;
  char *deep = malloc(2 * depth + 64);
  size_t n = (size_t)sprintf(deep, "{\"schema\": \"journey/1\", \"x\": ");
  memset(deep + n, '[', depth);
  memset(deep + n + depth, ']', depth);
  deep[n + 2 * depth] = '}';
  CHECK_STATUS(journey_model_from_json(deep, n + 2 * depth + 1, &model),
               JOURNEY_STATUS_PARSE_ERROR);
  free(deep);
  /* Input not NUL-terminated: only len bytes are read. */
  const char padded[] = "{\"schema\": \"journey/1\"}GARBAGE";
  CHECK_STATUS(journey_model_from_json(padded, sizeof(padded) - 1 - 7, &model), JOURNEY_STATUS_OK);
  journey_model_free(model);
  model = NULL;
  /* Frees accept NULL. */
  journey_model_free(NULL);
  journey_analysis_free(NULL);
  journey_string_free(NULL);
}

static void test_limits(void) {
  /* A document with more personas than the 10,000 allowed. */
  size_t count = 10001;
  const char *item = "{\"id\":\"p\",\"name\":\"p\"},";
  size_t item_len = strlen(item);
  char *text = malloc(64 + count * item_len);
  size_t n = (size_t)sprintf(text, "{\"schema\":\"journey/1\",\"personas\":[");
  for (size_t i = 0; i < count; i++) {
    memcpy(text + n, item, item_len);
    n += item_len;
  }
  text[n - 1] = ']';
  text[n++] = '}';
  JourneyModel *model = NULL;
  CHECK_STATUS(journey_model_from_json(text, n, &model), JOURNEY_STATUS_LIMIT_EXCEEDED);
  CHECK(message_contains("personas"));
  CHECK(model == NULL);
  free(text);
}

static JourneyModel *load(const char *path) {
  size_t len = 0;
  char *text = read_file(path, &len);
  JourneyModel *model = NULL;
  CHECK_STATUS(journey_model_from_json(text, len, &model), JOURNEY_STATUS_OK);
  free(text);
  return model;
}

static void test_round_trip_and_validate(JourneyModel *gym) {
  char *json = NULL;
  size_t len = 0;
  CHECK_STATUS(journey_model_to_json(gym, &json, &len), JOURNEY_STATUS_OK);
  CHECK(len == strlen(json));
  JourneyModel *again = NULL;
  CHECK_STATUS(journey_model_from_json(json, len, &again), JOURNEY_STATUS_OK);
  char *json2 = NULL;
  CHECK_STATUS(journey_model_to_json(again, &json2, NULL), JOURNEY_STATUS_OK);
  CHECK(strcmp(json, json2) == 0);
  journey_string_free(json);
  journey_string_free(json2);
  journey_model_free(again);
  CHECK_STATUS(journey_model_to_json(NULL, &json, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_to_json(gym, NULL, &len), JOURNEY_STATUS_INVALID_ARGUMENT);

  size_t errors = 99, warnings = 99;
  char *report = NULL;
  CHECK_STATUS(journey_model_validate(gym, &errors, &warnings, &report, &len), JOURNEY_STATUS_OK);
  CHECK(errors == 0 && warnings == 0);
  CHECK(strcmp(report, "{\"findings\":[]}") == 0);
  journey_string_free(report);
  CHECK_STATUS(journey_model_validate(gym, &errors, &warnings, NULL, NULL), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_model_validate(NULL, &errors, &warnings, NULL, NULL),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_validate(gym, NULL, &warnings, NULL, NULL),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_validate(gym, &errors, NULL, NULL, NULL),
               JOURNEY_STATUS_INVALID_ARGUMENT);

  /* A broken model loads, reports its errors, and refuses analysis. */
  JourneyModel *broken = NULL;
  CHECK_STATUS(journey_model_from_json(S("{\"schema\":\"journey/1\",\"journeys\":[{\"id\":\"j\",\"name\":\"J\","
                                         "\"stages\":[{\"id\":\"s\",\"name\":\"S\"}],"
                                         "\"touchpoints\":[{\"id\":\"a\",\"name\":\"A\",\"stage\":\"nope\",\"emotion\":9}],"
                                         "\"entries\":[{\"touchpoint\":\"a\"}],\"goals\":[\"a\"]}]}"),
                                       &broken),
               JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_model_validate(broken, &errors, &warnings, &report, NULL), JOURNEY_STATUS_OK);
  CHECK(errors == 2);
  CHECK(strstr(report, "journeys[j].touchpoints[a].stage") != NULL);
  CHECK(strstr(report, "emotion_out_of_range") != NULL);
  journey_string_free(report);
  JourneyAnalysis *analysis = NULL;
  CHECK_STATUS(journey_model_analyze(broken, S("j"), NULL, 0, &analysis),
               JOURNEY_STATUS_VALIDATION_ERROR);
  CHECK(analysis == NULL);
  CHECK(message_contains("error"));
  journey_model_free(broken);
}

static void test_accessors(JourneyModel *gym) {
  size_t count = 0;
  char *id = NULL, *name = NULL;
  CHECK_STATUS(journey_model_journey_count(gym, &count), JOURNEY_STATUS_OK);
  CHECK(count == 1);
  CHECK_STATUS(journey_model_journey_count(NULL, &count), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_journey_count(gym, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_journey_at(gym, 0, &id, &name), JOURNEY_STATUS_OK);
  CHECK(strcmp(id, "gym") == 0 && strcmp(name, "Joining a gym") == 0);
  journey_string_free(id);
  journey_string_free(name);
  CHECK_STATUS(journey_model_journey_at(gym, 1, &id, &name), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(message_contains("out of range"));
  CHECK_STATUS(journey_model_journey_at(gym, 0, NULL, &name), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_journey_at(gym, 0, &id, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_journey_at(NULL, 0, &id, &name), JOURNEY_STATUS_INVALID_ARGUMENT);

  CHECK_STATUS(journey_model_stage_count(gym, S("gym"), &count), JOURNEY_STATUS_OK);
  CHECK(count == 5);
  CHECK_STATUS(journey_model_stage_count(gym, S("pool"), &count), JOURNEY_STATUS_NOT_FOUND);
  CHECK(message_contains("no journey with id \"pool\""));
  CHECK_STATUS(journey_model_stage_count(gym, "\xc3", 1, &count), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_stage_count(gym, S("gym"), NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_stage_at(gym, S("gym"), 4, &id, &name), JOURNEY_STATUS_OK);
  CHECK(strcmp(id, "advocacy") == 0 && strcmp(name, "Loyalty and advocacy") == 0);
  journey_string_free(id);
  journey_string_free(name);
  CHECK_STATUS(journey_model_stage_at(gym, S("gym"), 5, &id, &name), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_stage_at(gym, S("pool"), 0, &id, &name), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_model_stage_at(gym, S("gym"), 0, NULL, &name), JOURNEY_STATUS_INVALID_ARGUMENT);

  CHECK_STATUS(journey_model_touchpoint_count(gym, S("gym"), &count), JOURNEY_STATUS_OK);
  CHECK(count == 23);
  CHECK_STATUS(journey_model_touchpoint_count(gym, S("pool"), &count), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_model_touchpoint_count(NULL, S("gym"), &count), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_touchpoint_at(gym, S("gym"), 3, &id, &name), JOURNEY_STATUS_OK);
  CHECK(strcmp(id, "contact_form") == 0 && strcmp(name, "Contact form") == 0);
  journey_string_free(id);
  journey_string_free(name);
  CHECK_STATUS(journey_model_touchpoint_at(gym, S("gym"), 23, &id, &name), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_touchpoint_at(gym, S("gym"), 0, &id, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);

  char *stage = NULL, *channel = NULL;
  CHECK_STATUS(journey_model_touchpoint_info(gym, S("gym"), S("follow_up_call"), &stage, &channel),
               JOURNEY_STATUS_OK);
  CHECK(strcmp(stage, "retention") == 0 && strcmp(channel, "phone") == 0);
  journey_string_free(stage);
  journey_string_free(channel);
  CHECK_STATUS(journey_model_touchpoint_info(gym, S("gym"), S("sauna"), &stage, &channel),
               JOURNEY_STATUS_NOT_FOUND);
  CHECK(message_contains("no touchpoint with id \"sauna\""));
  CHECK_STATUS(journey_model_touchpoint_info(gym, S("gym"), S("follow_up_call"), &stage, NULL),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_touchpoint_info(gym, S("gym"), NULL, 3, &stage, &channel),
               JOURNEY_STATUS_INVALID_ARGUMENT);

  bool has = false;
  double emotion = 0.0;
  CHECK_STATUS(journey_model_touchpoint_emotion(gym, S("gym"), S("trial_ending_email"), &has, &emotion),
               JOURNEY_STATUS_OK);
  CHECK(has && emotion == -1.0);
  emotion = 42.0;
  CHECK_STATUS(journey_model_touchpoint_emotion(gym, S("gym"), S("mobile_app"), &has, &emotion),
               JOURNEY_STATUS_OK);
  CHECK(!has && emotion == 42.0);
  CHECK_STATUS(journey_model_touchpoint_emotion(gym, S("gym"), S("mobile_app"), NULL, &emotion),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_touchpoint_emotion(gym, S("gym"), S("x"), &has, &emotion),
               JOURNEY_STATUS_NOT_FOUND);

  double value = 0.0;
  uint64_t sample = 0;
  CHECK_STATUS(journey_model_touchpoint_measure(gym, S("gym"), S("contact_form"), S("ces"), &value, &sample),
               JOURNEY_STATUS_OK);
  CHECK(value == 5.2 && sample == 40);
  CHECK_STATUS(journey_model_touchpoint_measure(gym, S("gym"), S("contact_form"), S("ces"), &value, NULL),
               JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_model_touchpoint_measure(gym, S("gym"), S("contact_form"), S("nps"), &value, &sample),
               JOURNEY_STATUS_NOT_FOUND);
  CHECK(message_contains("no value for measure \"nps\""));
  CHECK_STATUS(journey_model_touchpoint_measure(gym, S("gym"), S("contact_form"), "\x80", 1, &value, &sample),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_touchpoint_measure(gym, S("gym"), S("contact_form"), S("ces"), NULL, &sample),
               JOURNEY_STATUS_INVALID_ARGUMENT);
}

static void test_analysis(JourneyModel *gym) {
  JourneyAnalysis *analysis = NULL;
  CHECK_STATUS(journey_model_analyze(gym, S("gym"), NULL, 0, &analysis), JOURNEY_STATUS_OK);
  double p = 0.0;
  CHECK_STATUS(journey_analysis_goal_probability(analysis, &p), JOURNEY_STATUS_OK);
  /* 4014234 / 37999375, derived by exact rational arithmetic. */
  CHECK(fabs(p - 4014234.0 / 37999375.0) < 1e-12);
  CHECK_STATUS(journey_analysis_goal_probability(NULL, &p), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_analysis_goal_probability(analysis, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);

  double reach = 0.0, removal = 0.0;
  CHECK_STATUS(journey_analysis_stage_reach(analysis, S("retention"), &reach), JOURNEY_STATUS_OK);
  CHECK(fabs(reach - 0.293612544) < 1e-12);
  CHECK_STATUS(journey_analysis_stage_reach(analysis, S("onboarding"), &reach), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_analysis_stage_reach(analysis, S("retention"), NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_analysis_touchpoint_reach(analysis, S("online_reviews"), &reach, &removal),
               JOURNEY_STATUS_OK);
  CHECK(fabs(reach - 0.68) < 1e-12 && fabs(removal - 0.6563961517938416) < 1e-12);
  CHECK_STATUS(journey_analysis_touchpoint_reach(analysis, S("online_reviews"), &reach, NULL),
               JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_analysis_touchpoint_reach(analysis, S("x"), &reach, NULL), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_analysis_touchpoint_reach(analysis, S("x"), NULL, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);

  size_t count = 0;
  CHECK_STATUS(journey_analysis_pain_point_count(analysis, &count), JOURNEY_STATUS_OK);
  CHECK(count == 4);
  CHECK_STATUS(journey_analysis_pain_point_count(analysis, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  char *touchpoint = NULL;
  size_t len = 0;
  double impact = 0.0;
  CHECK_STATUS(journey_analysis_pain_point(analysis, 0, &touchpoint, &len, &impact), JOURNEY_STATUS_OK);
  CHECK(strcmp(touchpoint, "trial_ending_email") == 0 && len == 18);
  CHECK(fabs(impact - 0.293612544 * 0.5 * 3.0) < 1e-12);
  journey_string_free(touchpoint);
  CHECK_STATUS(journey_analysis_pain_point(analysis, 4, &touchpoint, &len, &impact),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_analysis_pain_point(analysis, 0, &touchpoint, &len, NULL),
               JOURNEY_STATUS_INVALID_ARGUMENT);

  char *json = NULL;
  CHECK_STATUS(journey_analysis_to_json(analysis, &json, &len), JOURNEY_STATUS_OK);
  CHECK(strncmp(json, "{\"journey\":\"gym\",\"goal_probability\":", 36) == 0);
  journey_string_free(json);
  CHECK_STATUS(journey_analysis_to_json(NULL, &json, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_analysis_to_json(analysis, NULL, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  journey_analysis_free(analysis);

  /* Options as JSON; bad options are an invalid argument. */
  CHECK_STATUS(journey_model_analyze(gym, S("gym"), S("{\"top\": 1}"), &analysis), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_analysis_to_json(analysis, &json, NULL), JOURNEY_STATUS_OK);
  journey_string_free(json);
  journey_analysis_free(analysis);
  analysis = NULL;
  CHECK_STATUS(journey_model_analyze(gym, S("gym"), S("{\"top\": \"many\"}"), &analysis),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("invalid option top: invalid type"));
  CHECK(analysis == NULL);
  CHECK_STATUS(journey_model_analyze(gym, S("pool"), NULL, 0, &analysis), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_model_analyze(NULL, S("gym"), NULL, 0, &analysis), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_analyze(gym, S("gym"), NULL, 0, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_analyze(gym, NULL, 3, NULL, 0, &analysis), JOURNEY_STATUS_INVALID_ARGUMENT);
}

static void test_events(JourneyModel *gym, const char *data) {
  JourneyEventLog *log = NULL;
  CHECK_STATUS(journey_event_log_new(&log), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_new(NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  char path[4096];
  snprintf(path, sizeof(path), "%s/gym-events.csv", data);
  char *report = NULL;
  size_t len = 0, count = 0;
  const char *options = "{\"measures\": [\"csat\", \"ces\", \"nps\"]}";
  CHECK_STATUS(journey_event_log_read_csv_file(log, path, strlen(path), options, strlen(options), &report, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(report, "\"rows_read\":1353,\"rows_used\":1351,\"rows_skipped\":2") != NULL);
  CHECK(strstr(report, "\"row\":1351") != NULL && strstr(report, "last tuesday") != NULL);
  journey_string_free(report);
  CHECK_STATUS(journey_event_log_len(log, &count), JOURNEY_STATUS_OK);
  CHECK(count == 1351);
  CHECK_STATUS(journey_event_log_read_csv_file(log, S("/no/such/file.csv"), NULL, 0, NULL, NULL),
               JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_event_log_read_csv_file(NULL, path, strlen(path), NULL, 0, NULL, NULL),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  /* Failing on the first bad row, and bad options. */
  JourneyEventLog *strict = NULL;
  CHECK_STATUS(journey_event_log_new(&strict), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_read_csv(strict, S("customer,timestamp,event\na,yesterday,x\n"),
                                          S("{\"on_error\": \"fail\"}"), NULL, NULL),
               JOURNEY_STATUS_CSV_ERROR);
  CHECK(message_contains("row 2"));
  CHECK_STATUS(journey_event_log_read_csv(strict, S("who,when\n"), NULL, 0, NULL, NULL), JOURNEY_STATUS_CSV_ERROR);
  CHECK(message_contains("no column"));
  CHECK_STATUS(journey_event_log_read_csv(strict, S("customer,timestamp,event\n"), S("{\"delimiter\": 3}"), NULL, NULL),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK_STATUS(journey_event_log_read_csv(strict, "\xff", 1, NULL, 0, NULL, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  /* Naive times: refused with the reason, not read as 0 events and OK;
     read with a stated zone; fields kept as written unless trimmed; times
     to the microsecond. */
  JourneyEventLog *times = NULL;
  CHECK_STATUS(journey_event_log_new(&times), JOURNEY_STATUS_OK);
  const char *naive = "customer,timestamp,event\nc1,2011-10-11 13:45:40,A\nc1,2011-10-11 13:45:41, A\n";
  CHECK_STATUS(journey_event_log_read_csv(times, naive, strlen(naive), NULL, 0, NULL, NULL), JOURNEY_STATUS_CSV_ERROR);
  CHECK(message_contains("no event was read: all 2 rows were bad (line 2: timestamp \"2011-10-11 13:45:40\" has no time zone"));
  CHECK_STATUS(journey_event_log_len(times, &count), JOURNEY_STATUS_OK);
  CHECK(count == 0);
  CHECK_STATUS(journey_event_log_read_csv(times, naive, strlen(naive), S("{\"time_zone\": \"Mars/Olympus\"}"), NULL, NULL),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK_STATUS(journey_event_log_read_csv(times, naive, strlen(naive), S("{\"time_zone\": \"+02:00\"}"), NULL, NULL),
               JOURNEY_STATUS_OK);
  /* A tz database name: 01:30 and 03:30 on the night Paris skips 02:00-03:00
     are one hour apart. */
  JourneyEventLog *paris = NULL;
  CHECK_STATUS(journey_event_log_new(&paris), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_read_csv(paris, S("customer,timestamp,event\nc,2026-03-29 01:30:00,A\nc,2026-03-29 03:30:00,B\n"),
                                          S("{\"time_zone\": \"Europe/Paris\"}"), NULL, NULL),
               JOURNEY_STATUS_OK);
  char *hour = NULL;
  CHECK_STATUS(journey_event_log_discover(paris, NULL, 0, 5, &hour, &len), JOURNEY_STATUS_OK);
  CHECK(strstr(hour, "\"from\":\"A\",\"to\":\"B\",\"count\":1,\"mean_ms\":3600000.0") != NULL);
  journey_string_free(hour);
  journey_event_log_free(paris);
  CHECK_STATUS(journey_event_log_read_csv(times, S("customer,timestamp,event\nc1,1318340740.2761,A \n"),
                                          S("{\"trim\": true}"), NULL, NULL),
               JOURNEY_STATUS_OK);
  char *found = NULL;
  CHECK_STATUS(journey_event_log_discover(times, NULL, 0, 5, &found, &len), JOURNEY_STATUS_OK);
  /* "A" twice (one trimmed), " A" once: two names, not one. */
  CHECK(strstr(found, "\"frequencies\":{\" A\":1,\"A\":2}") != NULL);
  journey_string_free(found);
  CHECK_STATUS(journey_event_log_read_csv(times, S("customer,timestamp,event\n"), S("{\"allow_empty\": true}"), NULL, NULL),
               JOURNEY_STATUS_OK);
  journey_event_log_free(times);
  /* XES: the bundled logs, plain and gzipped, with pm4py's counts; written
     and read back. */
  JourneyEventLog *xes = NULL;
  CHECK_STATUS(journey_event_log_new(&xes), JOURNEY_STATUS_OK);
  char xes_path[4096];
  snprintf(xes_path, sizeof(xes_path), "%s/xes/repair-example.xes.gz", data);
  CHECK_STATUS(journey_event_log_read_xes_file(xes, xes_path, strlen(xes_path), NULL, 0, &found, &len), JOURNEY_STATUS_OK);
  CHECK(strstr(found, "\"rows_read\":11855,\"rows_used\":11855,\"rows_skipped\":0") != NULL);
  journey_string_free(found);
  CHECK_STATUS(journey_event_log_len(xes, &count), JOURNEY_STATUS_OK);
  CHECK(count == 11855);
  char *written = NULL;
  size_t written_len = 0;
  CHECK_STATUS(journey_event_log_write_xes(xes, &written, &written_len), JOURNEY_STATUS_OK);
  JourneyEventLog *again = NULL;
  CHECK_STATUS(journey_event_log_new(&again), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_read_xes(again, (const uint8_t *)written, written_len, S("{\"classifier\": \"Event Name\"}"),
                                          NULL, NULL),
               JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_len(again, &count), JOURNEY_STATUS_OK);
  CHECK(count == 11855);
  journey_string_free(written);
  CHECK_STATUS(journey_event_log_read_xes(again, (const uint8_t *)"<log><trace>", 12, NULL, 0, NULL, NULL),
               JOURNEY_STATUS_CSV_ERROR);
  CHECK_STATUS(journey_event_log_read_xes(again, NULL, 3, NULL, 0, NULL, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_event_log_read_xes(again, NULL, 0, S("{\"classifer\": 1}"), NULL, NULL), JOURNEY_STATUS_INVALID_OPTION);
  snprintf(xes_path, sizeof(xes_path), "%s/xes/running-example.xes", data);
  CHECK_STATUS(journey_event_log_read_xes_file(again, xes_path, strlen(xes_path), NULL, 0, NULL, NULL), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_len(again, &count), JOURNEY_STATUS_OK);
  CHECK(count == 11855 + 42);
  journey_event_log_free(again);
  journey_event_log_free(xes);
  /* JSON events: an Intercom export, one bad event reported. */
  JourneyEventLog *from_json = NULL;
  CHECK_STATUS(journey_event_log_new(&from_json), JOURNEY_STATUS_OK);
  const char *intercom = "{\"type\": \"event.list\", \"events\": ["
                         "{\"event_name\": \"invited-friend\", \"created_at\": 1318340740, \"user_id\": \"314159\"},"
                         "{\"event_name\": \"ordered-item\", \"email\": \"ann@example.org\"}]}";
  CHECK_STATUS(journey_event_log_read_json(from_json, intercom, strlen(intercom), S("{\"preset\": \"intercom\"}"), &found, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(found, "\"rows_read\":2,\"rows_used\":1,\"rows_skipped\":1") != NULL);
  CHECK(strstr(found, "\"row\":2,\"reason\":\"the event has no timestamp (at created_at)\"") != NULL);
  journey_string_free(found);
  CHECK_STATUS(journey_event_log_read_json(from_json, S("[{\"a\""), NULL, 0, NULL, NULL), JOURNEY_STATUS_PARSE_ERROR);
  CHECK_STATUS(journey_event_log_read_json(from_json, S("[]"), NULL, 0, NULL, NULL), JOURNEY_STATUS_CSV_ERROR);
  CHECK(message_contains("JSON event 1: the log has no event rows"));
  journey_event_log_free(from_json);
  /* Pushing events. */
  CHECK_STATUS(journey_event_log_push(strict, S("a"), 0, S("x"), NULL, 0), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_push(strict, S("a"), 1000, S("y"), S("web")), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_push(strict, S(""), 0, S("y"), NULL, 0), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_event_log_push(NULL, S("a"), 0, S("y"), NULL, 0), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_event_log_push_json(strict, S("{\"customer\":\"b\",\"timestamp\":5,\"name\":\"x\",\"measures\":{\"nps\":9}}")),
               JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_event_log_push_json(strict, S("{\"customer\":\"b\"}")), JOURNEY_STATUS_PARSE_ERROR);
  CHECK_STATUS(journey_event_log_len(strict, &count), JOURNEY_STATUS_OK);
  CHECK(count == 3);
  char *json = NULL;
  CHECK_STATUS(journey_event_log_discover(strict, NULL, 0, 5, &json, &len), JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"edges\":[{\"from\":\"x\",\"to\":\"y\",\"count\":1,\"mean_ms\":1000.0") != NULL);
  CHECK(strstr(json, "\"nps\":100.0") != NULL);
  journey_string_free(json);
  CHECK_STATUS(journey_event_log_discover(strict, S("{\"names\": 5}"), 5, &json, &len), JOURNEY_STATUS_INVALID_OPTION);
  CHECK_STATUS(journey_event_log_discover(strict, NULL, 0, 5, NULL, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  journey_event_log_free(strict);
  journey_event_log_free(NULL);

  /* Against the gym journey. */
  CHECK_STATUS(journey_model_conformance(gym, S("gym"), log, NULL, 0, 3, &json, &len), JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"transitions\":1050") != NULL);
  CHECK(strstr(json, "\"kind\":\"unknown_touchpoint\"") != NULL);
  journey_string_free(json);
  CHECK_STATUS(journey_model_conformance(gym, S("pool"), log, NULL, 0, 3, &json, &len), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_model_conformance(gym, S("gym"), NULL, NULL, 0, 3, &json, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_conformance(gym, S("gym"), log, NULL, 0, 3, NULL, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_data_funnel(gym, S("gym"), log, NULL, 0, &json, &len), JOURNEY_STATUS_OK);
  CHECK(strstr(json, "[{\"stage\":\"awareness\",\"traces\":301,") == json);
  journey_string_free(json);
  CHECK_STATUS(journey_model_data_funnel(gym, S("gym"), log, S("{\"session_gap\": -1}"), &json, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("session_gap: must not be negative"));
  CHECK_STATUS(journey_model_data_funnel(NULL, S("gym"), log, NULL, 0, &json, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  JourneyModel *fitted = NULL;
  CHECK_STATUS(journey_model_fit(gym, S("gym"), log, NULL, 0, S("{\"add_unmapped\": true}"), &fitted), JOURNEY_STATUS_OK);
  char *stage = NULL, *channel = NULL;
  CHECK_STATUS(journey_model_touchpoint_info(fitted, S("gym"), S("chat_widget"), &stage, &channel), JOURNEY_STATUS_OK);
  journey_string_free(stage);
  journey_string_free(channel);
  journey_model_free(fitted);
  CHECK_STATUS(journey_model_fit(gym, S("gym"), log, NULL, 0, S("{\"add_unmapped\": 1}"), &fitted),
               JOURNEY_STATUS_INVALID_OPTION);
  /* Higher-order context, learnt with the fit, lands in the journey. */
  CHECK_STATUS(journey_model_fit(gym, S("gym"), log, NULL, 0, S("{\"context_order\": 3, \"context_min_count\": 3}"), &fitted),
               JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_model_to_json(fitted, &json, &len), JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"context\": [") != NULL && strstr(json, "\"path\": [") != NULL);
  journey_string_free(json);
  journey_model_free(fitted);
  CHECK_STATUS(journey_model_fit(gym, S("gym"), log, NULL, 0, S("{\"context_order\": 9}"), &fitted),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("context_order"));
  CHECK_STATUS(journey_model_fit(gym, S("gym"), log, NULL, 0, NULL, 0, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_model_attribution(gym, S("gym"), log, NULL, 0, S("{\"orders\": [1, 2]}"), &json, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(json, "{\"conversions\":22.0,") == json);
  journey_string_free(json);
  CHECK_STATUS(journey_model_attribution(gym, S("gym"), log, NULL, 0, S("{\"orders\": [7]}"), &json, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("order 7"));
  /* Time decay from the log's timestamps (a week's half life). */
  CHECK_STATUS(journey_model_attribution(gym, S("gym"), log, NULL, 0, S("{\"half_life_days\": 7}"), &json, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"time_decay\":") != NULL && strstr(json, "\"time_decay_value\":") != NULL);
  journey_string_free(json);
  CHECK_STATUS(journey_model_attribution(gym, S("gym"), log, NULL, 0, S("{\"half_life_days\": 0}"), &json, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("half_life_days"));
  journey_event_log_free(log);

  CHECK_STATUS(journey_paths_attribution(S("path,total_conversions,total_null\nc1 > c2,1,0\nc1,0,1\nc2,1,0\n"), NULL, 0,
                                         NULL, 0, &json, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"conversion_probability\":0.6666666666666666") != NULL);
  journey_string_free(json);
  /* Position-based (weights 2:1:1) and Shapley credit, as in Rust's hand-derived test. */
  const char *models = "path,total_conversions,total_conversion_value,total_null\n"
                       "a > b > c > d,1,10,0\na > b,1,4,0\nc,2,6,0\nb > a > b,0,0,3\n";
  CHECK_STATUS(journey_paths_attribution(models, strlen(models), NULL, 0, S("{\"position_weights\": [2, 1, 1]}"),
                                         &json, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"touchpoint\":\"c\"") != NULL);
  CHECK(strstr(json, "\"shapley\":2.25,\"shapley_value\":8.5,\"ordered_shapley\":[2.0,0.0,0.25]") != NULL);
  CHECK(strstr(json, "\"position_based\":2.125,\"position_based_value\":7.25") != NULL);
  journey_string_free(json);
  CHECK_STATUS(journey_paths_attribution(models, strlen(models), NULL, 0, S("{\"min_customers\": 2}"), &json, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"heuristics\":[{\"touchpoint\":\"(other)\"") != NULL);
  journey_string_free(json);
  CHECK_STATUS(journey_paths_attribution(models, strlen(models), NULL, 0, S("{\"position_weights\": [-1, 1, 1]}"),
                                         &json, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("position_weights"));
  /* Removal effects of sequences, and the order chosen by its information criterion. */
  CHECK_STATUS(journey_paths_attribution(S("path,total_conversions,total_null\na > b,1,0\nb > a,1,0\n"), NULL, 0,
                                         S("{\"sequences\": [[\"a\", \"b\"]]}"), &json, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"sequences\":[{\"sequence\":[\"a\",\"b\"],\"removal_effect\":0.375}]") != NULL);
  journey_string_free(json);
  CHECK_STATUS(journey_paths_attribution(S("path,total_conversions,total_null\na > c,50,0\nb > c,0,50\n"), NULL, 0,
                                         S("{\"orders\": [], \"auto_order\": true}"), &json, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"order_choice\":{\"order\":2,") != NULL);
  journey_string_free(json);
  CHECK_STATUS(journey_paths_attribution(S("path,total_conversions\na > b,1\n"), NULL, 0,
                                         S("{\"sequences\": [[\"a\", \"nope\"]]}"), &json, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("touchpoint \"nope\" is not in the path data"));
  CHECK_STATUS(journey_paths_attribution(S("x\n1\n"), NULL, 0, NULL, 0, &json, &len), JOURNEY_STATUS_CSV_ERROR);
  CHECK_STATUS(journey_paths_attribution(S("path,total_conversions\nc1 > c2,1\n"), NULL, 0, S("{\"max_work\": 1}"), &json,
                                         &len),
               JOURNEY_STATUS_LIMIT_EXCEEDED);
  CHECK(message_contains("order-1 removal effects"));
  CHECK_STATUS(journey_paths_attribution(S("path,total_conversions\na,1\n"), S("{\"separator\": []}"), NULL, 0, &json, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK_STATUS(journey_paths_attribution(S("path,total_conversions\na,1\n"), NULL, 0, NULL, 0, NULL, &len),
               JOURNEY_STATUS_INVALID_ARGUMENT);
}

static int str_is(const char *ptr, size_t len, const char *expected) {
  return len == strlen(expected) && memcmp(ptr, expected, len) == 0;
}

struct observer {
  JourneyTracker *tracker;
  int thread;
  int failures;
};

static void *observe_many(void *arg) {
  struct observer *o = arg;
  char customer[32];
  for (int k = 0; k < 2000; k++) {
    int len = snprintf(customer, sizeof(customer), "t%d-%d", o->thread, k % 40);
    if (journey_tracker_observe(o->tracker, customer, (size_t)len, S("online_reviews"), k, NULL) != JOURNEY_STATUS_OK) {
      o->failures++;
    }
  }
  return NULL;
}

static void test_tracker(JourneyModel *gym) {
  JourneyTracker *tracker = NULL;
  /* A tracker fed Segment track calls. */
  JourneyTracker *fed = NULL;
  JourneyObserved fed_observed = JOURNEY_OBSERVED_UNKNOWN;
  CHECK_STATUS(journey_tracker_new(gym, S("gym"), NULL, 0, &fed), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_tracker_observe_json(
                   fed, S("{\"userId\":\"bo\",\"event\":\"free_trial_popup\",\"timestamp\":\"2026-01-01T00:03:00Z\"}"),
                   S("{\"preset\": \"segment\"}"), &fed_observed),
               JOURNEY_STATUS_OK);
  CHECK(fed_observed == JOURNEY_OBSERVED_PLACED);
  CHECK_STATUS(journey_tracker_observe_json(fed, S("{\"userId\":\"bo\",\"event\":\"x\"}"), S("{\"preset\": \"segment\"}"),
                                            &fed_observed),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(message_contains("the event has no timestamp"));
  CHECK_STATUS(journey_tracker_observe_json(fed, S("{"), NULL, 0, &fed_observed), JOURNEY_STATUS_PARSE_ERROR);
  CHECK_STATUS(journey_tracker_observe_json(fed, S("{}"), S("{\"preset\": \"mixpanel\"}"), &fed_observed),
               JOURNEY_STATUS_INVALID_OPTION);
  journey_tracker_free(fed);
  CHECK_STATUS(journey_tracker_new(gym, S("gym"), S("{\"history\": 8, \"reorder_window_ms\": 600000, "
                                                    "\"touchpoint_limits\": {\"free_trial_signup\": 1000}}"),
                                   &tracker),
               JOURNEY_STATUS_OK);
  const int64_t t0 = 1767225600000;
  CHECK_STATUS(journey_tracker_observe(tracker, S("ann"), S("online_reviews"), t0, NULL), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_tracker_observe(tracker, S("ann"), S("free_trial_popup"), t0 + 120000, NULL), JOURNEY_STATUS_OK);
  /* A minute earlier than the latest: placed before it. */
  JourneyObserved observed = JOURNEY_OBSERVED_UNKNOWN;
  CHECK_STATUS(journey_tracker_observe(tracker, S("ann"), S("contact_form"), t0 + 60000, &observed), JOURNEY_STATUS_OK);
  CHECK(observed == JOURNEY_OBSERVED_PLACED);
  CHECK_STATUS(journey_tracker_observe(tracker, S("ann"), S("not_on_the_map"), t0, &observed), JOURNEY_STATUS_OK);
  CHECK(observed == JOURNEY_OBSERVED_UNKNOWN);
  CHECK_STATUS(journey_tracker_observe(tracker, S("ann"), S("online_reviews"), t0 - 3600000, &observed),
               JOURNEY_STATUS_OK);
  CHECK(observed == JOURNEY_OBSERVED_LATE);

  JourneyPosition position;
  bool tracked = false;
  CHECK_STATUS(journey_tracker_position(tracker, S("ann"), &tracked, &position), JOURNEY_STATUS_OK);
  CHECK(tracked);
  CHECK(str_is(position.touchpoint, position.touchpoint_len, "free_trial_popup"));
  CHECK(str_is(position.stage, position.stage_len, "consideration"));
  CHECK(position.stage_since_ms == t0 + 60000);
  CHECK(position.time_in_stage_ms == 60000);
  CHECK_STATUS(journey_tracker_position(tracker, S("nobody"), &tracked, &position), JOURNEY_STATUS_OK);
  CHECK(!tracked);

  JourneyVisit visits[8];
  size_t written = 99;
  CHECK_STATUS(journey_tracker_history(tracker, S("ann"), NULL, 0, NULL, 0, -1, visits, 8, &written),
               JOURNEY_STATUS_OK);
  CHECK(written == 3);
  CHECK(str_is(visits[1].touchpoint, visits[1].touchpoint_len, "contact_form"));
  CHECK(visits[2].timestamp_ms == t0);
  CHECK_STATUS(journey_tracker_history(tracker, S("ann"), S("review_site"), NULL, 0, -1, visits, 8, &written),
               JOURNEY_STATUS_OK);
  CHECK(written == 1 && str_is(visits[0].touchpoint, visits[0].touchpoint_len, "online_reviews"));
  CHECK_STATUS(journey_tracker_history(tracker, S("ann"), NULL, 0, S("awareness"), 1, visits, 8, &written),
               JOURNEY_STATUS_OK);
  CHECK(written == 0);
  CHECK_STATUS(journey_tracker_history(tracker, S("ann"), NULL, 0, NULL, 0, 7, visits, 8, &written),
               JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_tracker_history(tracker, S("ann"), NULL, 0, NULL, 0, -1, NULL, 8, &written),
               JOURNEY_STATUS_INVALID_ARGUMENT);

  JourneySeen seen;
  CHECK_STATUS(journey_tracker_seen(tracker, S("ann"), S("contact_form"), &seen), JOURNEY_STATUS_OK);
  CHECK(seen.seen && seen.in_history && seen.count == 1 && seen.first_ms == t0 + 60000 && seen.last_ms == t0 + 60000);
  CHECK_STATUS(journey_tracker_seen(tracker, S("ann"), S("facility_tour"), &seen), JOURNEY_STATUS_OK);
  CHECK(!seen.seen && seen.count == 0);

  /* From the free-trial popup: signup 0.5, contact form 0.2. */
  JourneyNextStep next[3];
  CHECK_STATUS(journey_tracker_next(tracker, S("ann"), next, 3, &written), JOURNEY_STATUS_OK);
  CHECK(written == 2);
  CHECK(str_is(next[0].touchpoint, next[0].touchpoint_len, "free_trial_signup") && next[0].probability == 0.5);
  CHECK(str_is(next[1].touchpoint, next[1].touchpoint_len, "contact_form") && next[1].probability == 0.2);
  CHECK_STATUS(journey_tracker_next(tracker, S("nobody"), next, 3, &written), JOURNEY_STATUS_OK);
  CHECK(written == 0);
  CHECK_STATUS(journey_tracker_next(tracker, S("ann"), next, 3, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);

  double goal = -1;
  CHECK_STATUS(journey_tracker_goal_probability(tracker, S("ann"), &tracked, &goal), JOURNEY_STATUS_OK);
  CHECK(tracked && goal > 0 && goal < 1);
  JourneyPriority priority;
  CHECK_STATUS(journey_tracker_priority(tracker, S("ann"), &tracked, &priority), JOURNEY_STATUS_OK);
  CHECK(tracked && fabs(priority.risk - (1 - goal)) < 1e-15 && priority.importance == 1);
  CHECK(priority.level == (priority.score >= 0.75 ? 3u : priority.score >= 0.5 ? 2u : priority.score >= 0.25 ? 1u : 0u));

  CHECK_STATUS(journey_tracker_observe(tracker, S("bo"), S("free_trial_signup"), t0, NULL), JOURNEY_STATUS_OK);
  char *json = NULL;
  size_t len = 0;
  CHECK_STATUS(journey_tracker_due(tracker, t0 + 5000, &json, &len), JOURNEY_STATUS_OK);
  CHECK(strcmp(json, "[{\"customer\":\"bo\",\"touchpoint\":\"free_trial_signup\",\"stage\":\"conversion\","
                     "\"reason\":\"touchpoint\",\"overdue_ms\":4000}]") == 0);
  journey_string_free(json);

  JourneyTrackerStats stats;
  CHECK_STATUS(journey_tracker_stats(tracker, &stats), JOURNEY_STATUS_OK);
  CHECK(stats.customers == 2 && stats.placed == 4 && stats.late == 1 && stats.unknown == 1 && stats.evicted == 0);

  /* Snapshot and restore: the same answers. */
  char *snapshot = NULL;
  CHECK_STATUS(journey_tracker_snapshot(tracker, &snapshot, &len), JOURNEY_STATUS_OK);
  CHECK(strncmp(snapshot, "journey-tracker/2 crc32c=", 25) == 0);
  JourneyTracker *restored = NULL;
  CHECK_STATUS(journey_tracker_restore(gym, S("gym"), snapshot, len, &restored), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_tracker_position(restored, S("ann"), &tracked, &position), JOURNEY_STATUS_OK);
  CHECK(tracked && position.stage_since_ms == t0 + 60000);
  char *again = NULL;
  size_t again_len = 0;
  CHECK_STATUS(journey_tracker_snapshot(restored, &again, &again_len), JOURNEY_STATUS_OK);
  CHECK(again_len == len && memcmp(again, snapshot, len) == 0);
  journey_string_free(again);
  CHECK_STATUS(journey_tracker_restore(gym, S("gym"), snapshot, len / 2, &restored), JOURNEY_STATUS_INVALID_SNAPSHOT);
  snapshot[len - 2] ^= 0x01; /* one bit of the body */
  CHECK_STATUS(journey_tracker_restore(gym, S("gym"), snapshot, len, &restored), JOURNEY_STATUS_INVALID_SNAPSHOT);
  journey_string_free(snapshot);
  journey_tracker_free(restored);

  /* Forgetting a customer (the right to erasure) leaves nothing of them. */
  bool forgotten = false;
  CHECK_STATUS(journey_tracker_observe(tracker, S("erin"), S("online_reviews"), t0, NULL), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_tracker_forget(tracker, S("erin"), &forgotten), JOURNEY_STATUS_OK);
  CHECK(forgotten);
  bool erin_tracked = true;
  CHECK_STATUS(journey_tracker_position(tracker, S("erin"), &erin_tracked, &position), JOURNEY_STATUS_OK);
  CHECK(!erin_tracked);
  CHECK_STATUS(journey_tracker_forget(tracker, S("erin"), &forgotten), JOURNEY_STATUS_OK);
  CHECK(!forgotten);
  CHECK_STATUS(journey_tracker_forget(tracker, S("erin"), NULL), JOURNEY_STATUS_OK);
  CHECK_STATUS(journey_tracker_forget(NULL, S("erin"), &forgotten), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_tracker_forget(tracker, "\xff", 1, &forgotten), JOURNEY_STATUS_INVALID_ARGUMENT);

  size_t evicted = 9;
  CHECK_STATUS(journey_tracker_expire(tracker, t0, &evicted), JOURNEY_STATUS_OK);
  CHECK(evicted == 0); /* no idle TTL set */

  /* Errors. */
  CHECK_STATUS(journey_tracker_observe(NULL, S("ann"), S("online_reviews"), 0, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_tracker_observe(tracker, S(""), S("online_reviews"), 0, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(message_contains("invalid customer"));
  CHECK_STATUS(journey_tracker_observe(tracker, "\xff", 1, S("online_reviews"), 0, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  JourneyTracker *bad = NULL;
  CHECK_STATUS(journey_tracker_new(gym, S("gym"), S("{\"history\": 0}"), &bad), JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("history"));
  CHECK_STATUS(journey_tracker_new(gym, S("gym"), S("{\"histroy\": 3}"), &bad), JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("invalid option histroy: unknown field `histroy`"));
  CHECK_STATUS(journey_tracker_new(gym, S("gym"), S("{\"history\": \"many\"}"), &bad), JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("invalid option history: invalid type"));
  CHECK_STATUS(journey_tracker_new(gym, S("pool"), NULL, 0, &bad), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_tracker_new(gym, S("gym"), NULL, 0, NULL), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  journey_tracker_free(tracker);
  journey_tracker_free(NULL);

  /* Four threads observing one tracker at once lose no event. */
  JourneyTracker *shared = NULL;
  CHECK_STATUS(journey_tracker_new(gym, S("gym"), S("{\"history\": 64}"), &shared), JOURNEY_STATUS_OK);
  pthread_t threads[4];
  struct observer observers[4];
  for (int i = 0; i < 4; i++) {
    observers[i] = (struct observer){shared, i, 0};
    pthread_create(&threads[i], NULL, observe_many, &observers[i]);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    CHECK(observers[i].failures == 0);
  }
  CHECK_STATUS(journey_tracker_stats(shared, &stats), JOURNEY_STATUS_OK);
  CHECK(stats.placed == 8000 && stats.customers == 160);
  CHECK_STATUS(journey_tracker_seen(shared, S("t2-7"), S("online_reviews"), &seen), JOURNEY_STATUS_OK);
  CHECK(seen.count == 50);
  journey_tracker_free(shared);
}

static void test_dot(JourneyModel *gym) {
  char *dot = NULL;
  size_t len = 0;
  CHECK_STATUS(journey_model_to_dot(gym, S("gym"), NULL, 0, &dot, &len), JOURNEY_STATUS_OK);
  CHECK(strncmp(dot, "digraph \"gym\" {\n", 16) == 0 && len == strlen(dot));
  CHECK(strstr(dot, "  \"online_reviews\" -> \"contact_form\" [label=\"0.3\"];\n") != NULL);
  journey_string_free(dot);
  CHECK_STATUS(journey_model_to_dot(gym, S("gym"), S("{\"labels\": \"none\", \"vertical\": true}"), &dot, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(dot, "rankdir=TB") != NULL && strstr(dot, "[label=\"0.3\"]") == NULL);
  journey_string_free(dot);
  CHECK_STATUS(journey_model_to_dot(gym, S("gym"), S("{\"labels\": \"weights\"}"), &dot, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK_STATUS(journey_model_to_dot(gym, S("pool"), NULL, 0, &dot, &len), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_model_to_dot(gym, S("gym"), NULL, 0, NULL, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
}

static size_t count_of(const char *haystack, const char *needle) {
  size_t n = 0;
  for (const char *at = strstr(haystack, needle); at != NULL; at = strstr(at + 1, needle)) n++;
  return n;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len) {
  if (dir == NULL) return;
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *file = fopen(path, "wb");
  CHECK(file != NULL);
  if (file == NULL) return;
  CHECK(fwrite(text, 1, len, file) == len);
  fclose(file);
}

/* The bundled XES logs' discovery (every variant); with an output folder,
   written there so the test script can compare it byte for byte with what
   Rust and JS discover. */
static void test_xes_discovery(const char *data, const char *out_dir) {
  const char *logs[] = {"running-example.xes", "receipt.xes.gz", "repair-example.xes.gz"};
  const size_t events[] = {42, 8577, 11855};
  for (size_t i = 0; i < 3; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/xes/%s", data, logs[i]);
    JourneyEventLog *log = NULL;
    CHECK_STATUS(journey_event_log_new(&log), JOURNEY_STATUS_OK);
    CHECK_STATUS(journey_event_log_read_xes_file(log, path, strlen(path), NULL, 0, NULL, NULL), JOURNEY_STATUS_OK);
    size_t count = 0;
    CHECK_STATUS(journey_event_log_len(log, &count), JOURNEY_STATUS_OK);
    CHECK(count == events[i]);
    char *found = NULL;
    size_t len = 0;
    CHECK_STATUS(journey_event_log_discover(log, NULL, 0, SIZE_MAX, &found, &len), JOURNEY_STATUS_OK);
    char name[256];
    snprintf(name, sizeof(name), "discovery-%s.json", logs[i]);
    write_file(out_dir, name, found, len);
    journey_string_free(found);
    journey_event_log_free(log);
  }
}

/* A big-endian 32-bit number of a PNG header. */
static uint32_t png_u32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* The map as PNG at twice its size: a PNG of that size (the test script
   compares its bytes with Rust's), and refusals of bad options and text. */
static void test_png(JourneyModel *gym, const char *out_dir) {
  char *svg = NULL;
  size_t len = 0;
  CHECK_STATUS(journey_model_render_svg(gym, S("gym"), NULL, 0, &svg, &len), JOURNEY_STATUS_OK);
  unsigned width = 0, height = 0;
  const char *size = strstr(svg, " width=\"");
  CHECK(size != NULL && sscanf(size, " width=\"%u\" height=\"%u\"", &width, &height) == 2);
  uint8_t *png = NULL;
  size_t png_len = 0;
  CHECK_STATUS(journey_render_png(svg, len, S("{\"scale\": 2}"), &png, &png_len), JOURNEY_STATUS_OK);
  CHECK(png_len > 33 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(png + 12, "IHDR", 4) == 0);
  CHECK(png_u32(png + 16) == 2 * width && png_u32(png + 20) == 2 * height);
  write_file(out_dir, "gym.png", (const char *)png, png_len);
  journey_bytes_free(png);
  png = NULL;
  CHECK_STATUS(journey_render_png(svg, len, S("{\"scale\": 0}"), &png, &png_len), JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("scale") && png == NULL);
  CHECK_STATUS(journey_render_png(svg, len, S("{\"properties\": {\"card\": \"#fff\"}}"), &png, &png_len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK_STATUS(journey_render_png(S("not svg"), NULL, 0, &png, &png_len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_render_png(svg, len, NULL, 0, NULL, &png_len), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(journey_render_png(S("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20000\" height=\"10000\"/>"),
                                  NULL, 0, &png, &png_len),
               JOURNEY_STATUS_LIMIT_EXCEEDED);
  CHECK(png == NULL);
  journey_bytes_free(NULL);
  journey_string_free(svg);
}

/* The options of the second map the test script compares with Rust's. */
#define MAP_OPTIONS                                                                                     \
  "{\"flows\": true, \"theme\": \"dark\", \"analysis\": true, \"lanes\": \"layer\", \"width\": 1400, " \
  "\"rows\": [\"kpis\", \"touchpoints\", \"emotion\", \"actions\", \"thoughts\", \"pain_points\", "        \
  "\"opportunities\", \"measures\"]}"

/* SVG map and Mermaid text; with an output folder, both are written there so
   the test script can compare them byte for byte with the Rust output. */
static void test_render(JourneyModel *gym, const char *out_dir) {
  char *svg = NULL;
  size_t len = 0;
  CHECK_STATUS(journey_model_render_svg(gym, S("gym"), NULL, 0, &svg, &len), JOURNEY_STATUS_OK);
  CHECK(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0 && len == strlen(svg));
  CHECK(strstr(svg, ">Awareness</text>") != NULL && strstr(svg, ">Loyalty and advocacy</text>") != NULL);
  CHECK(count_of(svg, "class=\"touchpoint missing") == 5);
  CHECK(count_of(svg, "class=\"emotion-curve ") == 1);
  CHECK(strstr(svg, "class=\"persona\" data-id=\"fitness_beginner\"") != NULL);
  write_file(out_dir, "gym.svg", svg, len);
  journey_string_free(svg);
  /* Every lane, flows, a blueprint, the dark theme and a width: the same
     bytes as Rust too (the test script compares them). */
  CHECK_STATUS(journey_model_render_svg(gym, S("gym"), S(MAP_OPTIONS), &svg, &len), JOURNEY_STATUS_OK);
  CHECK(strstr(svg, "data-theme=\"dark\"") != NULL && count_of(svg, "<path class=\"flow ") > 20);
  write_file(out_dir, "gym-options.svg", svg, len);
  write_file(out_dir, "gym-options.json", MAP_OPTIONS, strlen(MAP_OPTIONS));
  journey_string_free(svg);
  /* The stage flow: analysed (compared byte for byte with Rust's by the
     test script), observed, and refused for bad options or an unknown journey. */
  CHECK_STATUS(journey_model_render_stage_flow(gym, S("gym"), NULL, 0, &svg, &len), JOURNEY_STATUS_OK);
  CHECK(count_of(svg, "class=\"stage-link forward\"") >= 4 && strstr(svg, ">reach 67.6%</text>") != NULL);
  write_file(out_dir, "gym-flow.svg", svg, len);
  journey_string_free(svg);
  CHECK_STATUS(journey_model_render_stage_flow(gym, S("gym"), S("{\"observed\": true, \"theme\": \"dark\"}"), &svg, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(svg, "data-theme=\"dark\"") != NULL);
  journey_string_free(svg);
  CHECK_STATUS(journey_model_render_stage_flow(gym, S("gym"), S("{\"observd\": true}"), &svg, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("observd"));
  CHECK_STATUS(journey_model_render_stage_flow(gym, S("pool"), NULL, 0, &svg, &len), JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_model_render_stage_flow(NULL, S("gym"), NULL, 0, &svg, &len), JOURNEY_STATUS_INVALID_ARGUMENT);
  test_png(gym, out_dir);
  CHECK_STATUS(journey_model_render_svg(gym, S("gym"), S("{\"analysis\": true, \"counts\": {\"contact_form\": 7}}"), &svg, &len),
               JOURNEY_STATUS_OK);
  CHECK(strstr(svg, "reach 67.6% · drop-off 27.3%") != NULL && strstr(svg, ">n 7</text>") != NULL);
  journey_string_free(svg);
  CHECK_STATUS(journey_model_render_svg(gym, S("gym"), S("{\"lanes\": \"diagonal\"}"), &svg, &len),
               JOURNEY_STATUS_INVALID_OPTION);
  CHECK(message_contains("diagonal"));
  CHECK_STATUS(journey_model_render_svg(gym, S("gym"), S("{\"compare\": [\"pool\"]}"), &svg, &len),
               JOURNEY_STATUS_NOT_FOUND);
  CHECK_STATUS(journey_model_render_svg(NULL, S("gym"), NULL, 0, &svg, &len), JOURNEY_STATUS_INVALID_ARGUMENT);

  char *text = NULL;
  CHECK_STATUS(journey_model_to_mermaid(gym, S("gym"), &text, &len), JOURNEY_STATUS_OK);
  CHECK(strncmp(text, "journey\n  title Joining a gym\n", 30) == 0 && strstr(text, "\n  section Awareness\n") != NULL);
  write_file(out_dir, "gym.mmd", text, len);
  JourneyModel *back = NULL;
  CHECK_STATUS(journey_model_from_mermaid(text, len, &back), JOURNEY_STATUS_OK);
  char *again = NULL;
  size_t again_len = 0;
  CHECK_STATUS(journey_model_to_mermaid(back, S("joining_a_gym"), &again, &again_len), JOURNEY_STATUS_OK);
  CHECK(again_len == len && memcmp(again, text, len) == 0);
  journey_string_free(again);
  journey_model_free(back);
  journey_string_free(text);
  CHECK_STATUS(journey_model_to_mermaid(gym, S("pool"), &text, &len), JOURNEY_STATUS_NOT_FOUND);

  JourneyModel *model = NULL;
  CHECK_STATUS(journey_model_from_mermaid(S("journey\n  section A\n    Task without a score\n"), &model), JOURNEY_STATUS_PARSE_ERROR);
  CHECK(model == NULL && message_contains("Mermaid line 3") && message_contains("has no `:`"));
  CHECK_STATUS(journey_model_from_mermaid(S("journey\n  title Caf\xc3\n"), &model), JOURNEY_STATUS_INVALID_ARGUMENT);
  CHECK(message_contains("UTF-8"));
  CHECK_STATUS(journey_model_from_mermaid(S("journey\n  section A\n    Do work: 1: Me, Cat\n"), &model), JOURNEY_STATUS_OK);
  size_t touchpoints = 0;
  CHECK_STATUS(journey_model_touchpoint_count(model, S("journey"), &touchpoints), JOURNEY_STATUS_OK);
  CHECK(touchpoints == 1);
  char *json = NULL;
  CHECK_STATUS(journey_model_to_json(model, &json, NULL), JOURNEY_STATUS_OK);
  CHECK(strstr(json, "\"personas\": [\n            \"me\",\n            \"cat\"\n          ]") != NULL);
  journey_string_free(json);
  journey_model_free(model);
}

int main(int argc, char **argv) {
  const char *data = argc > 1 ? argv[1] : "examples/data";
  char gym_path[4096];
  snprintf(gym_path, sizeof(gym_path), "%s/gym.json", data);
  test_version();
  test_load_errors();
  test_limits();
  JourneyModel *gym = load(gym_path);
  test_round_trip_and_validate(gym);
  test_accessors(gym);
  test_analysis(gym);
  test_status_codes_and_strict_options(gym);
  test_compare(gym);
  test_events(gym, data);
  test_tracker(gym);
  test_dot(gym);
  test_render(gym, argc > 2 ? argv[2] : NULL);
  test_xes_discovery(data, argc > 2 ? argv[2] : NULL);
  journey_model_free(gym);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
