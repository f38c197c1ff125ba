/*
 * formats.c - the list of formats, in the order their scans run. A more
 * specific format comes first so that it claims its files before a more
 * general one could misread them: a Lightning metrics.csv before the
 * native reader, Ultralytics' results.csv before the generic CSV reader.
 */
#include "formats.h"
#include "banned.h"

const struct format *const formats[] = {
    &format_hf_trainer, &format_tfevents,    &format_dvclive,
    &format_mlflow,     &format_ultralytics, &format_yolov5_txt,
    &format_lightning,  &format_fastai,      &format_native,
    &format_keras,      &format_detectron2,  &format_wandb,
    &format_catboost,   &format_generic_csv, NULL,
};
