-- What the plugin does with messages from the server: `burrow/taskUpdate` drives the plan float,
-- the diff tab and the progress line; `$/progress` adds what the task is doing now;
-- `burrow/chatDelta` feeds the chat buffer;
-- `window/showMessageRequest` is answered at once (Neovim 0.7's own handler would block on
-- `inputlist`); `workspace/applyEdit` runs Neovim's handler and then writes the touched buffers.
local config = require('burrow.config')
local tasks = require('burrow.tasks')

local M = {}

local function plural(n, word)
  return string.format('%d %s%s', n, word, n == 1 and '' or 's')
end

--- React to one task update. Exposed for tests and for users who replay `burrow.task.status`.
function M.task_update(update)
  if type(update) ~= 'table' or not update.taskId then
    return
  end
  local task = tasks.update(update)
  local plan = require('burrow.plan')
  local review = require('burrow.review')
  require('burrow.progress').show(task)
  local state = task.state
  local gate = tasks.gate(task)
  if gate == 'plan' or gate == 'consent' then
    review.close(task.taskId)
    plan.open(task)
  elseif gate == 'changes' then
    plan.close(task.taskId)
    review.open(task)
  else
    plan.close(task.taskId)
    if state ~= 'planning' and state ~= 'queued' and state ~= 'editing' then
      review.close(task.taskId)
    end
  end
  M.announce(task)
end

-- The last announcement per task, so a task republished in the same state (a warning added, a
-- status refresh) is not announced twice.
local announced = {}

--- Tell the user how a task ended, once per outcome.
function M.announce(task)
  local state = task.state
  local key = state .. (task.undone and ':undone' or '')
  if announced[task.taskId] == key then
    return
  end
  if state == 'failed' then
    announced[task.taskId] = key
    local err = type(task.error) == 'table' and task.error or {}
    local text, level = require('burrow.errors').describe(err.message or 'the task failed without a reason.', err.code)
    vim.notify('Burrow: ' .. text, level)
  elseif state == 'applied' and task.undone then
    announced[task.taskId] = key
    vim.notify(string.format('Burrow: undid task %s; its files are back as they were.', task.taskId), vim.log.levels.INFO)
  elseif state == 'applied' then
    announced[task.taskId] = key
    local declined = {}
    for _, id in ipairs(task.declinedHunks or {}) do
      declined[id] = true
    end
    local applied, files, seen = 0, 0, {}
    for _, change in ipairs(task.changes or {}) do
      if not declined[change.hunkId] then
        applied = applied + 1
        if not seen[change.path] then
          seen[change.path] = true
          files = files + 1
        end
      end
    end
    local text = string.format('Burrow: applied %s to %s', plural(applied, 'change'), plural(files, 'file'))
    local declined_count = #(task.declinedHunks or {})
    if declined_count > 0 then
      text = text .. string.format(' (%s declined)', plural(declined_count, 'hunk'))
    end
    vim.notify(text .. '. :Burrow undo reverts it.', vim.log.levels.INFO)
  elseif state == 'rejected' or state == 'cancelled' then
    announced[task.taskId] = key
    vim.notify(string.format('Burrow: task %s %s; nothing was changed.', task.taskId, state), vim.log.levels.INFO)
  end
  -- Things that did not stop the task but need the user's eyes (an edit the editor did not take
  -- as sent, a file the sandbox refused).
  if tasks.terminal[state] and type(task.warnings) == 'table' then
    for _, warning in ipairs(task.warnings) do
      vim.notify('Burrow: ' .. warning, vim.log.levels.WARN)
    end
  end
end

--- The URIs of the files a WorkspaceEdit touches.
local function touched_uris(edit)
  local uris = {}
  for uri in pairs(edit.changes or {}) do
    table.insert(uris, uri)
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.textDocument then
      table.insert(uris, change.textDocument.uri)
    elseif change.kind == 'create' then
      table.insert(uris, change.uri)
    elseif change.kind == 'rename' then
      table.insert(uris, change.newUri)
    end
  end
  return uris
end

--- The loaded buffer of a file URI, without creating one.
local function loaded_buffer(uri)
  local buf = vim.fn.bufnr('^' .. vim.fn.escape(vim.uri_to_fname(uri), '\\/.*$^~[]') .. '$')
  if buf ~= -1 and vim.api.nvim_buf_is_loaded(buf) then
    return buf
  end
  return nil
end

--- Write the buffers an applied edit touched, so the files on disk hold what the user approved.
function M.write_buffers(bufs)
  local failed = {}
  for _, buf in ipairs(bufs) do
    if vim.api.nvim_buf_is_valid(buf) and vim.bo[buf].modified and vim.bo[buf].buftype == '' then
      local ok, err = pcall(vim.api.nvim_buf_call, buf, function()
        -- A file without a final newline keeps it that way: 'fixendofline' would add one that the
        -- proposal does not have, so this one write goes without it.
        local fixeol = vim.bo[buf].fixeol
        if not vim.bo[buf].eol then
          vim.bo[buf].fixeol = false
        end
        local written, write_err = pcall(vim.cmd, 'silent write')
        vim.bo[buf].fixeol = fixeol
        if not written then
          error(write_err, 0)
        end
      end)
      if not ok then
        table.insert(failed, vim.api.nvim_buf_get_name(buf) .. ' (' .. tostring(err) .. ')')
      end
    end
  end
  if #failed > 0 then
    vim.notify(
      'Burrow: the edit is in your buffers but could not be written: ' .. table.concat(failed, ', ') .. '. Save them with :wall.',
      vim.log.levels.WARN
    )
  end
end

--- Neovim 0.7 creates a file with io.open and fails when its folder does not exist yet; a new file
--- in a new folder is an ordinary proposal, so make the folders first.
local function make_parent_folders(edit)
  for _, change in ipairs(edit and edit.documentChanges or {}) do
    if change.kind == 'create' and change.uri then
      local dir = vim.fn.fnamemodify(vim.uri_to_fname(change.uri), ':h')
      if vim.fn.isdirectory(dir) == 0 then
        vim.fn.mkdir(dir, 'p')
      end
    elseif change.kind == 'rename' and change.newUri then
      local dir = vim.fn.fnamemodify(vim.uri_to_fname(change.newUri), ':h')
      if vim.fn.isdirectory(dir) == 0 then
        vim.fn.mkdir(dir, 'p')
      end
    end
  end
end

--- The text of each file this edit creates, when its content is given as insertions at the start
--- of the new (empty) file, which is how Burrow sends new files.
local function created_texts(edit)
  local created, texts = {}, {}
  for _, change in ipairs(edit and edit.documentChanges or {}) do
    if change.kind == 'create' and change.uri then
      created[change.uri] = true
    elseif change.textDocument and created[change.textDocument.uri] then
      local parts, simple = {}, true
      for _, e in ipairs(change.edits or {}) do
        local r = e.range
        if r.start.line ~= 0 or r.start.character ~= 0 or r['end'].line ~= 0 or r['end'].character ~= 0 then
          simple = false
        end
        table.insert(parts, e.newText)
      end
      if simple then
        texts[change.textDocument.uri] = (texts[change.textDocument.uri] or '') .. table.concat(parts)
      end
    end
  end
  return texts
end

--- An empty buffer still has one (empty) line, so inserting "text\n" into a new file leaves an
--- extra blank line that `:write` would keep. Set the buffer to exactly the text Burrow sent, with
--- 'eol' saying whether it ends in a newline.
local function fix_created_buffers(texts)
  for uri, text in pairs(texts) do
    local buf = vim.uri_to_bufnr(uri)
    if vim.api.nvim_buf_is_loaded(buf) then
      local lines = vim.split(text, '\n', { plain = true })
      local ends_with_newline = lines[#lines] == '' and #lines > 1
      if ends_with_newline then
        table.remove(lines)
      end
      local current = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      if not vim.deep_equal(current, lines) then
        vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
      end
      vim.bo[buf].eol = ends_with_newline
      if not ends_with_newline then
        vim.bo[buf].fixeol = false
      end
    end
  end
end

local function apply_edit(err, params, ctx, handler_config)
  local default = vim.lsp.handlers['workspace/applyEdit']
  local edit = params and params.edit
  local uris = edit and touched_uris(edit) or {}
  -- Buffers holding unsaved changes of the user's own are not written for them: Burrow's edit
  -- lands in the buffer, and saving stays the user's call.
  local unsaved_before = {}
  for _, uri in ipairs(uris) do
    local buf = loaded_buffer(uri)
    if buf and vim.bo[buf].modified then
      unsaved_before[uri] = true
    end
  end
  make_parent_folders(edit)
  local result = default(err, params, ctx, handler_config)
  if not (result and result.applied) then
    return result
  end
  fix_created_buffers(created_texts(edit))
  if config.options.write_after_apply then
    local to_write, left = {}, {}
    for _, uri in ipairs(uris) do
      local buf = loaded_buffer(uri)
      if buf and unsaved_before[uri] then
        table.insert(left, vim.fn.fnamemodify(vim.uri_to_fname(uri), ':~:.'))
      elseif buf then
        table.insert(to_write, buf)
      end
    end
    M.write_buffers(to_write)
    if #left > 0 then
      vim.notify(
        'Burrow: '
          .. table.concat(left, ', ')
          .. ' had unsaved changes of yours, so the edit is in the buffer but not saved. Write it when you are ready.',
        vim.log.levels.WARN
      )
    end
  end
  return result
end

local function show_message_request(_, params)
  -- The server sends no prompts to a client that declared `experimental.burrow`, but a null
  -- answer at once is always safe: it decides nothing, and the plan float and commands remain.
  if params and params.message then
    vim.notify('Burrow: ' .. params.message, vim.log.levels.INFO)
  end
  return vim.NIL
end

--- The handler table given to the client (per-client handlers, so other servers are unaffected).
function M.table()
  return {
    ['burrow/taskUpdate'] = function(_, params)
      M.task_update(params)
    end,
    ['burrow/chatDelta'] = function(_, params)
      require('burrow.chat').on_delta(params)
    end,
    ['window/showMessageRequest'] = show_message_request,
    ['workspace/applyEdit'] = apply_edit,
    ['$/progress'] = function(err, params, ctx, handler_config)
      -- Neovim's own handler keeps the progress for vim.lsp.status() and LspProgress autocommands.
      local default = vim.lsp.handlers['$/progress']
      if default then
        pcall(default, err, params, ctx, handler_config)
      end
      require('burrow.progress').on_progress(params)
    end,
  }
end

return M
