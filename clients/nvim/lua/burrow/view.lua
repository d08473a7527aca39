-- Read-only result viewers: the task list of `:Burrow status` and the answers of `:Burrow models`
-- and `:Burrow doctor`, shown in a float that `q` closes.
local compat = require('burrow.compat')
local ui = require('burrow.ui')

local ns = vim.api.nvim_create_namespace('burrow.view')

local M = {}

local function scalar(value)
  if value == vim.NIL then
    return 'null'
  end
  return tostring(value)
end

--- Render any JSON value as indented "key: value" lines, lists as "- item".
function M.lines(value, indent, out)
  indent = indent or ''
  out = out or {}
  if type(value) ~= 'table' then
    table.insert(out, indent .. scalar(value))
    return out
  end
  if (vim.islist or vim.tbl_islist)(value) then
    for _, item in ipairs(value) do
      if type(item) == 'table' then
        local sub = M.lines(item, indent .. '  ')
        sub[1] = indent .. '- ' .. vim.trim(sub[1])
        vim.list_extend(out, sub)
      else
        table.insert(out, indent .. '- ' .. scalar(item))
      end
    end
    return out
  end
  local keys = vim.tbl_keys(value)
  table.sort(keys)
  for _, key in ipairs(keys) do
    local item = value[key]
    if type(item) == 'table' and not vim.tbl_isempty(item) then
      table.insert(out, indent .. key .. ':')
      M.lines(item, indent .. '  ', out)
    elseif type(item) == 'table' then
      table.insert(out, indent .. key .. ': (none)')
    else
      table.insert(out, indent .. key .. ': ' .. scalar(item))
    end
  end
  return out
end

local function open(title, lines)
  local all = { title, '' }
  vim.list_extend(all, lines)
  vim.list_extend(all, { '', 'q close' })
  local buf = ui.scratch(nil, all)
  compat.highlight(buf, ns, 'Title', 0, 0)
  compat.highlight(buf, ns, 'Comment', #all - 1, 0)
  local win = ui.float(buf, all, { min_width = 50 })
  ui.map(buf, 'q', function()
    if vim.api.nvim_win_is_valid(win) then
      vim.api.nvim_win_close(win, true)
    end
  end, 'Burrow: close')
  return win
end

--- Show a command's answer.
function M.show(title, result)
  if type(result) == 'table' and type(result.text) == 'string' then
    return open(title, vim.split(result.text, '\n', { plain = true }))
  end
  return open(title, M.lines(result == nil and 'no answer' or result))
end

local function size(bytes)
  if type(bytes) ~= 'number' then
    return ''
  end
  return string.format('%.1f GB', bytes / 1e9)
end

--- Show `burrow.models.list`: the installed models of every reachable runtime.
function M.models(result)
  if type(result) == 'table' and result.ok == false then
    return open('Burrow models', { result.reason or 'No model runtime answered.' })
  end
  local value = type(result) == 'table' and (result.value or result) or {}
  local lines = {}
  for _, runtime in ipairs(value.runtimes or {}) do
    local state = runtime.reachable and ('at ' .. (runtime.url or '?')) or ('not reachable: ' .. (runtime.reason or '?'))
    table.insert(lines, string.format('%s %s', runtime.label or runtime.name, state))
  end
  if #lines > 0 then
    table.insert(lines, '')
  end
  for _, model in ipairs(value.models or {}) do
    table.insert(
      lines,
      string.format(
        '%-32s %-9s %-8s %-7s %s',
        model.name or '?',
        model.provider or '',
        model.parameterSize or '',
        size(model.sizeBytes),
        model.loaded and 'loaded' or ''
      )
    )
  end
  if #(value.models or {}) == 0 then
    table.insert(lines, 'No models installed. burrow models pull NAME installs one.')
  end
  return open('Burrow models', lines)
end

--- Show `burrow.doctor`: provider, models, runtimes and the next steps.
function M.doctor(result)
  -- The server renders its own report as text; show that when it is there.
  if type(result) == 'table' and type(result.text) == 'string' then
    return open('Burrow doctor', vim.split(result.text, '\n', { plain = true }))
  end
  local report = type(result) == 'table' and result.report or result
  if type(report) ~= 'table' or report.provider == nil then
    return M.show('Burrow doctor', report)
  end
  local lines = {}
  table.insert(lines, (report.ready and 'Ready: ' or 'Not ready: ') .. 'provider ' .. tostring(report.provider))
  if type(report.coder) == 'table' then
    table.insert(lines, 'Coder model: ' .. tostring(report.coder.model))
  end
  if type(report.chat) == 'table' then
    table.insert(lines, 'Chat model:  ' .. tostring(report.chat.model))
  end
  if type(report.recommendation) == 'table' and report.recommendation.reason then
    table.insert(lines, 'Why: ' .. report.recommendation.reason)
  end
  table.insert(lines, '')
  for _, runtime in ipairs(report.runtimes or {}) do
    local state = runtime.reachable and ('answers at ' .. (runtime.url or '?')) or ('not reachable (' .. (runtime.reason or '?') .. ')')
    table.insert(lines, string.format('%s %s, %d models', runtime.label or runtime.name, state, #(runtime.models or {})))
  end
  if type(report.advice) == 'table' and #report.advice > 0 then
    table.insert(lines, '')
    table.insert(lines, 'Next steps:')
    for _, step in ipairs(report.advice) do
      table.insert(lines, '  - ' .. step)
    end
  end
  if report.stateDir then
    table.insert(lines, '')
    table.insert(lines, 'State: ' .. report.stateDir)
  end
  return open('Burrow doctor', lines)
end

--- Show the task list of `burrow.task.status`.
function M.status(list)
  if #list == 0 then
    vim.notify('Burrow: no tasks in this session.', vim.log.levels.INFO)
    return
  end
  local lines = {}
  for _, task in ipairs(list) do
    local summary = task.plan and task.plan.summary or ''
    local line = string.format('%-6s %-24s %s', task.taskId, task.state, summary)
    if task.error and task.error.message then
      line = line .. ' — ' .. task.error.message
    end
    table.insert(lines, line)
  end
  return open('Burrow tasks (newest first)', lines)
end

return M
