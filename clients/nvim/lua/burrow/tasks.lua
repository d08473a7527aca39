-- What the plugin knows about Burrow's tasks: the latest `burrow/taskUpdate` for each task, in
-- the order they started. Commands without a task id (`:Burrow approve`, `:Burrow apply`) pick
-- their task here, so "the latest task awaiting a decision" means the same thing everywhere.
local M = {}

-- Task updates by id, and the ids newest first.
M.by_id = {}
M.order = {}

M.terminal = { applied = true, rejected = true, cancelled = true, failed = true }

--- Record an update and return the task's record. The server sends the whole task every time,
--- so the update replaces what was known (a field it leaves out, like `awaiting` once a gate is
--- passed, is really gone).
function M.update(update)
  local id = update.taskId
  if not M.by_id[id] then
    table.insert(M.order, 1, id)
  end
  local task = vim.deepcopy(update)
  M.by_id[id] = task
  return task
end

--- The gate a task waits at: 'plan', 'changes', 'consent' (sending files to a cloud model), or nil.
function M.gate(task)
  if task.awaiting == 'plan' or task.awaiting == 'changes' or task.awaiting == 'consent' then
    return task.awaiting
  end
  if task.awaiting == nil or task.awaiting == vim.NIL then
    if task.state == 'awaitingPlanApproval' then
      return 'plan'
    elseif task.state == 'awaitingChangesApproval' then
      return 'changes'
    end
  end
  return nil
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

--- The newest task waiting at a gate; `gates` limits which ones ({ plan = true, consent = true }).
function M.latest_awaiting(gates)
  return M.latest(function(task)
    local gate = M.gate(task)
    return gate ~= nil and (gates == nil or gates[gate] == true)
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
