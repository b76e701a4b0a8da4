/* lh-core.h — everything src/core offers, for the CLI, the app and the tests. */
#pragma once

#include "lh-atomic-file.h"
#include "lh-connection.h"
#include "lh-cursor.h"
#include "lh-demo.h"
#include "lh-edit-set.h"
#include "lh-error.h"
#include "lh-history.h"
#include "lh-local-connection.h"
#include "lh-query-pager.h"
#include "lh-query-plan.h"
#include "lh-result-set.h"
#include "lh-row-format.h"
#include "lh-schema.h"
#include "lh-script.h"
#include "lh-table-pager.h"
#include "lh-value.h"
