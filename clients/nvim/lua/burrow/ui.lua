-- Small window helpers shared by the plan float, the review tab and the result viewers: scratch
-- buffers, word wrapping, a centred floating window, and closing the view of a given task.
local config = require('burrow.config')

local M = {}

--- A scratch buffer that is never written and disappears when its window closes.
---@param name string|nil a unique buffer name (burrow://…)
function M.scratch(name, lines, filetype)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  if name then
    -- A leftover buffer of the same name (a review reopened) would make the rename fail.
    local old = vim.fn.bufnr('^' .. vim.fn.escape(name, '\\/.*$^~[]') .. '$')
    if old ~= -1 and old ~= buf then
      pcall(vim.api.nvim_buf_delete, old, { force = true })
    end
    pcall(vim.api.nvim_buf_set_name, buf, name)
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines or {})
  vim.bo[buf].modifiable = false
  if filetype then
    vim.bo[buf].filetype = filetype
  end
  return buf
end

--- Split `text` into lines no wider than `width` display cells, each prefixed by `indent`
--- (the first by `first_indent` when given).
function M.wrap(text, width, indent, first_indent)
  indent = indent or ''
  local out = {}
  for _, paragraph in ipairs(vim.split(text or '', '\n', { plain = true })) do
    local line = first_indent or indent
    local empty = true
    for word in paragraph:gmatch('%S+') do
      if not empty and vim.fn.strdisplaywidth(line .. ' ' .. word) > width then
        table.insert(out, line)
        line = indent .. word
      else
        line = empty and (line .. word) or (line .. ' ' .. word)
      end
      empty = false
    end
    table.insert(out, line)
    first_indent = nil
  end
  return out
end

--- Open a centred float showing `buf`, sized to its lines within the editor.
function M.float(buf, lines, opts)
  opts = opts or {}
  local width = 0
  for _, line in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(line))
  end
  width = math.min(math.max(width + 1, opts.min_width or 40), vim.o.columns - 4)
  local height = math.min(#lines, math.max(vim.o.lines - 6, 3))
  local win = vim.api.nvim_open_win(buf, opts.enter ~= false, {
    relative = 'editor',
    width = width,
    height = height,
    row = math.max(math.floor((vim.o.lines - height) / 2) - 1, 0),
    col = math.max(math.floor((vim.o.columns - width) / 2), 0),
    style = 'minimal',
    border = config.options.border,
  })
  vim.wo[win].wrap = true
  vim.wo[win].cursorline = false
  vim.wo[win].winhighlight = 'Normal:BurrowFloat,FloatBorder:BurrowFloatBorder'
  return win
end

--- Take the view a module has open (its `current`) so that the caller can close it: clears
--- `owner.current` and returns what it held. Returns nil, leaving it open, when nothing is open
--- or, given a task id, when the open view shows another task, so closing one task's view never
--- closes another's.
function M.take_current(owner, task_id)
  local current = owner.current
  if not current or (task_id and current.taskId ~= task_id) then
    return nil
  end
  owner.current = nil
  return current
end

--- Buffer-local normal-mode mapping with a description (shown by :map and which-key).
function M.map(buf, lhs, rhs, desc)
  if lhs and lhs ~= '' then
    vim.keymap.set('n', lhs, rhs, { buffer = buf, nowait = true, silent = true, desc = desc })
  end
end

return M
