-- What the plugin knows about Burrow's tasks: the latest `burrow/taskUpdate` for each task, in
-- the order they started. Commands without a task id (`:Burrow approve`, `:Burrow apply`) pick
-- their task here, so "the latest task awaiting a decision" means the same thing everywhere.
local M = {}

-- Task updates by id, and the ids newest first.
M.by_id = {}
M.order = {}

M.terminal = { applied = true, rejected = true, cancelled = true, failed = true }
M.awaiting = { awaitingPlanApproval = true, awaitingChangesApproval = true }

--- Record an update and return the task's merged record. Fields a later update leaves out
--- (the plan once edits are under way) are kept from earlier ones.
function M.update(update)
  local id = update.taskId
  local task = M.by_id[id]
  if not task then
    task = { taskId = id }
    M.by_id[id] = task
    table.insert(M.order, 1, id)
  end
  for key, value in pairs(update) do
    task[key] = value
  end
  -- A new state drops the error of an earlier attempt.
  if update.error == nil then
    task.error = nil
  end
  return task
end

--- The newest task for which `predicate(task)` is true.
function M.latest(predicate)
  for _, id in ipairs(M.order) do
    local task = M.by_id[id]
    if predicate(task) then
      return task
    end
  end
  return nil
end

--- The newest task waiting at a gate, optionally only the given state.
function M.latest_awaiting(state)
  return M.latest(function(task)
    if state then
      return task.state == state
    end
    return M.awaiting[task.state] == true
  end)
end

--- The newest task that has not finished.
function M.latest_active()
  return M.latest(function(task)
    return not M.terminal[task.state]
  end)
end

function M.get(id)
  return M.by_id[id]
end

return M
