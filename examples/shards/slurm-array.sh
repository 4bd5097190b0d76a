#!/usr/bin/env bash
# Grade a cohort with a Slurm job array, one slice per task, and merge the slices when every
# task has succeeded. Submit from the folder that holds `cohort/`:
#   merge=$(sbatch --parsable slurm-array.sh) ... (see the last lines)
#SBATCH --job-name=pygrade-cohort
#SBATCH --array=0-3
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
set -euo pipefail

# Each task reads its slice from SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and
# SLURM_ARRAY_TASK_COUNT.
pygrade batch cohort --out results/shard-$SLURM_ARRAY_TASK_ID --shard auto --jobs "$SLURM_CPUS_PER_TASK"

# Then, once: the merge, after every task has succeeded:
#   array=$(sbatch --parsable slurm-array.sh)
#   sbatch --dependency=afterok:$array --wrap 'pygrade merge results/shard-* --out graded'
