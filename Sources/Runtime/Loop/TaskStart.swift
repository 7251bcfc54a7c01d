/// A task on `executor` when there is one, a plain task otherwise.
///
/// `Task(executorPreference: nil)` still gives the task a preference record (an empty one), and every switch
/// of such a task then reads it under the task's status lock.
@discardableResult
func startTask(on executor: (any TaskExecutor)?, _ operation: sending @escaping () async -> Void) -> Task<Void, Never> {
    guard let executor else { return Task(operation: operation) }
    return Task(executorPreference: executor, operation: operation)
}
