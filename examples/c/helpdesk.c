/* A helpdesk-style use of libjourney: load the gym journey, validate it, and
 * show an agent the stage funnel and the pain points that matter most.
 *
 *   cargo build --release -p journey-ffi
 *   cc -std=c11 examples/c/helpdesk.c -Iinclude -Ltarget/release -ljourney -o helpdesk
 *   LD_LIBRARY_PATH=target/release ./helpdesk examples/data/gym.json
 */
#include "journey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, JourneyStatus status) {
  fprintf(stderr, "%s failed (status %d): %s\n", what, (int)status, journey_last_error_message());
  return 1;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "examples/data/gym.json";
  FILE *file = fopen(path, "rb");
  if (!file) {
    perror(path);
    return 1;
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc((size_t)size);
  size_t len = text ? fread(text, 1, (size_t)size, file) : 0;
  fclose(file);

  JourneyModel *model = NULL;
  JourneyStatus status = journey_model_from_json(text, len, &model);
  free(text);
  if (status != JOURNEY_STATUS_OK) {
    return fail("loading", status);
  }
  printf("libjourney %s (ABI %u)\n", journey_version(), journey_abi_version());

  size_t errors = 0, warnings = 0;
  journey_model_validate(model, &errors, &warnings, NULL, NULL);
  printf("validation: %zu error(s), %zu warning(s)\n", errors, warnings);

  char *journey = NULL, *name = NULL;
  if ((status = journey_model_journey_at(model, 0, &journey, &name)) != JOURNEY_STATUS_OK) {
    journey_model_free(model);
    return fail("first journey", status);
  }
  size_t journey_len = strlen(journey);
  JourneyAnalysis *analysis = NULL;
  status = journey_model_analyze(model, journey, journey_len, NULL, 0, &analysis);
  if (status != JOURNEY_STATUS_OK) {
    journey_string_free(journey);
    journey_string_free(name);
    journey_model_free(model);
    return fail("analysis", status);
  }
  double goal = 0.0;
  journey_analysis_goal_probability(analysis, &goal);
  printf("\n%s: %.1f%% of customers reach a goal\n\nFunnel\n", name, 100.0 * goal);

  size_t stages = 0;
  journey_model_stage_count(model, journey, journey_len, &stages);
  for (size_t i = 0; i < stages; i++) {
    char *stage = NULL, *stage_name = NULL;
    double reach = 0.0;
    journey_model_stage_at(model, journey, journey_len, i, &stage, &stage_name);
    journey_analysis_stage_reach(analysis, stage, strlen(stage), &reach);
    printf("  %-22s %6.1f%%\n", stage_name, 100.0 * reach);
    journey_string_free(stage);
    journey_string_free(stage_name);
  }

  printf("\nTop pain points (reach x severity x importance)\n");
  size_t pains = 0;
  journey_analysis_pain_point_count(analysis, &pains);
  for (size_t i = 0; i < pains && i < 3; i++) {
    char *touchpoint = NULL, *channel = NULL, *stage = NULL;
    double impact = 0.0;
    size_t touchpoint_len = 0;
    journey_analysis_pain_point(analysis, i, &touchpoint, &touchpoint_len, &impact);
    journey_model_touchpoint_info(model, journey, journey_len, touchpoint, touchpoint_len, &stage,
                                  &channel);
    printf("  %zu. %-20s impact %.3f  (%s, %s)\n", i + 1, touchpoint, impact, stage, channel);
    journey_string_free(touchpoint);
    journey_string_free(channel);
    journey_string_free(stage);
  }

  journey_analysis_free(analysis);
  journey_string_free(journey);
  journey_string_free(name);
  journey_model_free(model);
  return 0;
}
