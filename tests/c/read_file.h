/* The C tests' one file reader: the whole file at `path`, its length in
 * *len; exits with status 2 when it cannot be read. */
#ifndef JOURNEY_TESTS_READ_FILE_H
#define JOURNEY_TESTS_READ_FILE_H

#include <stdio.h>
#include <stdlib.h>

static char *read_file(const char *path, size_t *len) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc((size_t)size);
  if (!text || fread(text, 1, (size_t)size, file) != (size_t)size) {
    exit(2);
  }
  fclose(file);
  *len = (size_t)size;
  return text;
}

#endif
