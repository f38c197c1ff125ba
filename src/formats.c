/*
 * formats.c - the list of formats, in the order their scans run. A more
 * specific format comes first so that it claims its files before a more
 * general one could misread them: a Lightning metrics.csv before the
 * native reader, Ultralytics' results.csv before the generic CSV reader.
 * TensorBoard event files come last: a logger that writes its own files
 * often writes the same scalars to an event file beside them (detectron2,
 * Ultralytics, Keras' callbacks), and that is one run, read once.
 */
#include "formats.h"
#include "banned.h"

const struct format *const formats[] = {
    &format_hf_trainer,  &format_dvclive,    &format_mlflow,
    &format_ultralytics, &format_yolov5_txt, &format_lightning,
    &format_fastai,      &format_native,     &format_keras,
    &format_detectron2,  &format_wandb,      &format_catboost,
    &format_generic_csv, &format_tfevents,   NULL,
};
