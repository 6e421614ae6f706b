/* A helpdesk replaying a stream of page views and tickets through the live
 * tracker: every view is observed (one of them arrives late, out of order);
 * at every ticket the agent sees where the customer is, what they did last,
 * whether the touchpoint the agent is about to send was already seen, what
 * usually comes next and how urgent the customer is.
 *
 *   cargo build --release -p journey-ffi
 *   cc -std=c11 examples/c/tickets.c -Iinclude -Ltarget/release -ljourney -o tickets
 *   LD_LIBRARY_PATH=target/release ./tickets examples/data/gym.json examples/data/helpdesk-stream.csv
 */
#include "journey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(const char *path, size_t *len) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    perror(path);
    exit(1);
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  *len = text ? fread(text, 1, (size_t)size, file) : 0;
  fclose(file);
  if (text) {
    text[*len] = '\0';
  }
  return text;
}

static void check(JourneyStatus status, const char *what) {
  if (status != JOURNEY_STATUS_OK) {
    fprintf(stderr, "%s failed (status %d): %s\n", what, (int)status, journey_last_error_message());
    exit(1);
  }
}

static const char *LEVELS[] = {"low", "normal", "high", "urgent"};

static void agent_context(const JourneyTracker *tracker, const char *customer, const char *topic) {
  size_t customer_len = strlen(customer);
  JourneyPosition position;
  bool tracked = false;
  check(journey_tracker_position(tracker, customer, customer_len, &tracked, &position), "position");
  if (!tracked) {
    printf("  new customer: no journey yet\n");
    return;
  }
  printf("  at %.*s (stage %.*s, %lld min in stage)\n", (int)position.touchpoint_len, position.touchpoint,
         (int)position.stage_len, position.stage, (long long)(position.time_in_stage_ms / 60000));
  JourneyVisit visits[3];
  size_t written = 0;
  check(journey_tracker_history(tracker, customer, customer_len, NULL, 0, NULL, 0, -1, visits, 3, &written),
        "history");
  printf("  last steps:");
  for (size_t i = 0; i < written; i++) {
    printf(" %.*s", (int)visits[i].touchpoint_len, visits[i].touchpoint);
  }
  printf("\n");
  JourneySeen seen;
  check(journey_tracker_seen(tracker, customer, customer_len, topic, strlen(topic), &seen), "seen");
  if (seen.seen && seen.in_history) {
    printf("  already saw %s %u time(s), last at minute %lld: do not send it again\n", topic, seen.count,
           (long long)(seen.last_ms / 60000));
  } else if (seen.seen) {
    printf("  already saw %s (a while ago): do not send it again\n", topic);
  } else {
    printf("  has not seen %s yet\n", topic);
  }
  JourneyNextStep next[3];
  check(journey_tracker_next(tracker, customer, customer_len, next, 3, &written), "next");
  printf("  likely next:");
  for (size_t i = 0; i < written; i++) {
    printf(" %.*s (%.0f%%)", (int)next[i].touchpoint_len, next[i].touchpoint, 100 * next[i].probability);
  }
  printf("\n");
  JourneyPriority priority;
  double goal = 0;
  check(journey_tracker_goal_probability(tracker, customer, customer_len, &tracked, &goal), "goal probability");
  check(journey_tracker_priority(tracker, customer, customer_len, &tracked, &priority), "priority");
  printf("  goal probability %.0f%%, priority %s\n", 100 * goal, LEVELS[priority.level]);
}

int main(int argc, char **argv) {
  const char *model_path = argc > 1 ? argv[1] : "examples/data/gym.json";
  const char *stream_path = argc > 2 ? argv[2] : "examples/data/helpdesk-stream.csv";
  size_t len = 0;
  char *text = read_all(model_path, &len);
  JourneyModel *model = NULL;
  check(journey_model_from_json(text, len, &model), "loading the model");
  free(text);
  JourneyTracker *tracker = NULL;
  const char *options = "{\"history\": 16, \"reorder_window_ms\": 600000}";
  check(journey_tracker_new(model, "gym", 3, options, strlen(options), &tracker), "creating the tracker");

  char *stream = read_all(stream_path, &len);
  char *line = strtok(stream, "\n"); /* the header */
  while ((line = strtok(NULL, "\n")) != NULL) {
    char customer[64], what[16], name[64];
    long long minute = 0;
    if (sscanf(line, "%lld,%63[^,],%15[^,],%63s", &minute, customer, what, name) != 4) {
      fprintf(stderr, "bad line: %s\n", line);
      continue;
    }
    if (strcmp(what, "ticket") == 0) {
      printf("minute %lld: ticket from %s about %s\n", minute, customer, name);
      agent_context(tracker, customer, name);
    } else {
      check(journey_tracker_observe(tracker, customer, strlen(customer), name, strlen(name), minute * 60000, NULL),
            "observe");
    }
  }
  free(stream);
  JourneyTrackerStats stats;
  check(journey_tracker_stats(tracker, &stats), "stats");
  printf("tracked %llu customers, %llu events placed, %llu late, %llu unknown\n",
         (unsigned long long)stats.customers, (unsigned long long)stats.placed, (unsigned long long)stats.late,
         (unsigned long long)stats.unknown);
  journey_tracker_free(tracker);
  journey_model_free(model);
  return 0;
}
