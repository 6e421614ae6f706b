// The header compiles as C++17 and its declarations are usable from C++.
#include "journey.h"

#include <cstdio>

int main() {
  JourneyModel *model = nullptr;
  JourneyStatus status = journey_model_from_json(nullptr, 0, &model);
  std::printf("%s %d\n", journey_version(), static_cast<int>(status == JOURNEY_STATUS_PARSE_ERROR));
  journey_model_free(model);
  return status == JOURNEY_STATUS_PARSE_ERROR ? 0 : 1;
}
